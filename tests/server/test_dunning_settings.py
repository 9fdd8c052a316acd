"""PORTALQL_DUNNING_RETRY_DAYS and PORTALQL_DUNNING_CANCEL reach the worker's merchant settings;
a schedule that is not rising days of 1 to 60 stops the start with a message."""
import pytest

from server.settings import Settings


def test_the_dunning_schedule_comes_from_the_environment(monkeypatch):
    assert Settings.from_env().sessions.merchant().dunning_retry_days == (1, 3, 5)
    monkeypatch.setenv("PORTALQL_DUNNING_RETRY_DAYS", "2, 7")
    monkeypatch.setenv("PORTALQL_DUNNING_CANCEL", "0")
    merchant = Settings.from_env().sessions.merchant()
    assert (merchant.dunning_retry_days, merchant.dunning_cancel) == ((2, 7), False)
    for bad in ("3,1", "0", "x", "90"):
        monkeypatch.setenv("PORTALQL_DUNNING_RETRY_DAYS", bad)
        with pytest.raises(SystemExit, match="PORTALQL_DUNNING_RETRY_DAYS"):
            Settings.from_env()


def test_the_renewal_notice_days_come_from_the_environment(monkeypatch):
    assert Settings.from_env().sessions.merchant().renewal_notice_days == 7
    monkeypatch.setenv("PORTALQL_RENEWAL_NOTICE_DAYS", "0")
    assert Settings.from_env().sessions.merchant().renewal_notice_days == 0
    monkeypatch.setenv("PORTALQL_RENEWAL_NOTICE_DAYS", "61")
    with pytest.raises(SystemExit, match="PORTALQL_RENEWAL_NOTICE_DAYS"):
        Settings.from_env()
