"""Expected business failures. Domain code raises Rejected; resolvers turn it into userErrors,
and since it is raised inside the mutation's transaction, nothing is written."""
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Problem:
    code: StrEnum | str
    message: str
    field: tuple[str, ...] | None = None


class Rejected(Exception):
    def __init__(self, *problems: Problem) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)


def reject(code: StrEnum | str, message: str, *field: str) -> Rejected:
    return Rejected(Problem(code, message, tuple(field) or None))
