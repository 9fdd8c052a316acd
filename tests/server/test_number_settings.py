"""How the environment's numbering settings become the merchant's NumberFormat."""
from domain.invoicing import NumberFormat, Series
from server.settings import Settings


def test_the_environment_numbers_each_series_with_its_own_prefix(monkeypatch):  # type: ignore[no-untyped-def]
    assert Settings.from_env().sessions.invoice_numbering == NumberFormat()
    monkeypatch.setenv("PORTALQL_INVOICE_PREFIX", "RE")
    monkeypatch.setenv("PORTALQL_INVOICE_NUMBER_PER_YEAR", "0")
    found = Settings.from_env().sessions.invoice_numbering
    assert [found.render(series, 0, 7) for series in Series] == ["RE-000007", "CN-000007", "RCT-000007"]
