"""The local-disk file storage keeps files under its root and refuses names it did not make."""
import pytest

from integrations.storage_local import LocalDiskStorage

KEY = "returns/7/" + "a" * 32 + ".png"


async def test_put_get_delete(tmp_path):
    storage = LocalDiskStorage(tmp_path / "files")
    await storage.put(KEY, b"data", "image/png")
    assert await storage.get(KEY) == b"data"
    assert (tmp_path / "files" / KEY).read_bytes() == b"data"
    await storage.delete(KEY)
    assert await storage.get(KEY) is None
    await storage.delete(KEY)  # deleting twice is fine


@pytest.mark.parametrize("key", ["../x/" + "a" * 32 + ".png", "/etc/passwd", "returns/7/evil.png",
                                 "returns/../../" + "a" * 32 + ".png", "Returns/7/" + "a" * 32 + ".png"])
async def test_keys_that_could_escape_the_root_are_refused(tmp_path, key):
    storage = LocalDiskStorage(tmp_path)
    with pytest.raises(ValueError):
        await storage.put(key, b"x", "image/png")
    with pytest.raises(ValueError):
        await storage.get(key)
