"""Recent: the least recently used entry goes first once the size is passed."""
from db.recent import Recent


def test_keeps_the_most_recently_used_entries():
    kept = Recent(2)
    kept.keep("a", 1)
    kept.keep("b", 2)
    assert kept.recall("a") == 1  # "a" is now more recent than "b"
    kept.keep("c", 3)
    assert list(kept) == ["a", "c"]
    assert kept.recall("b") is None and kept.recall("b", 0) == 0
    kept.keep("a", 4)  # kept again: updated and most recent
    kept.keep("d", 5)
    assert dict(kept) == {"a": 4, "d": 5}
