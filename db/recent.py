"""A dict that keeps only its most recently used entries: the bound on every per-process cache."""
from collections import OrderedDict
from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Recent(OrderedDict[K, V]):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def recall(self, key: K, default: Any = None) -> Any:
        """The value kept for `key` (now the most recent), else `default`."""
        if key not in self:
            return default
        self.move_to_end(key)
        return self[key]

    def keep(self, key: K, value: V) -> V:
        """Keep `value` as the most recent entry; the least recent go beyond `size`."""
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)
        return value
