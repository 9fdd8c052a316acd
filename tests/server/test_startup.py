"""What the server does when it starts and stops (the app's lifespan)."""
import gc

from db.engine import Database
from server.app import create_app
from server.settings import Settings


async def test_startup_puts_what_the_app_built_out_of_the_collectors_way(tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/startup.db")
    app = create_app(Settings(database_url=db.url), db=db)
    assert gc.get_freeze_count() == 0
    before = gc.get_threshold()
    async with app.router.lifespan_context(app):
        # The schema, the models' metadata and the modules: far more than a request makes.
        assert gc.get_freeze_count() > 50_000
        assert gc.get_threshold() == (10_000, *before[1:])
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before
