"""db.reads: statements run by the driver give what SQLAlchemy gives, on SQLite and PostgreSQL."""
import pytest
import sqlalchemy as sa
from sqlalchemy import bindparam
from sqlmodel import select

from db.engine import count_statements
from db.models import AuthSession, Invoice, MembershipRole, Order, PriceList, ProductVariant, User
from db import reads
from db.reads import Read, columns_of


def _by_ids(model):
    return Read(select(model).where(model.id.in_(bindparam("ids", expanding=True))).order_by(model.id))


def _values(row, model):
    return {k: (getattr(row, k), type(getattr(row, k))) for k in columns_of(model)}


# Amounts, enums, dates, aware datetimes (some null), JSON, booleans, nullable foreign keys.
@pytest.mark.parametrize("model", [Invoice, Order, PriceList, AuthSession, User, ProductVariant, MembershipRole])
async def test_rows_are_those_sqlalchemy_reads_value_for_value(db, model, gql):
    await gql("{ viewer { name } }", as_="buyer@acme.example")  # at least one AuthSession
    async with db.session() as s:
        expected = (await s.exec(select(model).order_by(model.id).limit(40))).all()
    assert expected
    async with db.reading(), db.connection() as conn:
        got = await _by_ids(model).instances(conn, model, ids=[r.id for r in expected])
    assert [_values(r, model) for r in got] == [_values(r, model) for r in expected]


async def test_in_lists_of_any_length_match_exactly_with_few_texts(db):
    async with db.session() as s:
        ids = (await s.exec(select(Order.id).order_by(Order.id).limit(9))).all()
    read = _by_ids(Order)
    async with db.connection() as conn:
        for n in (0, 1, 2, 3, 5, 8, 9):
            got = await read.instances(conn, Order, ids=ids[:n])
            assert [o.id for o in got] == ids[:n]
        assert await read.instances(conn, Order, ids=[-1]) == []
    # Lengths are rounded up to a power of two (an empty list is one NULL).
    assert set(read._by_dialect[db.engine.dialect.name].texts) == {(1,), (2,), (4,), (8,), (16,)}


async def test_values_bound_when_built_and_several_lists(db):
    read = Read(select(ProductVariant.id).where(ProductVariant.is_active == False,  # noqa: E712
                                                 ProductVariant.product_id.in_(bindparam("p", expanding=True)),
                                                 ProductVariant.id.in_(bindparam("v", expanding=True))))
    async with db.transaction() as s:
        variants = (await s.exec(select(ProductVariant).order_by(ProductVariant.id).limit(3))).all()
        for v in variants[:2]:
            v.is_active = False
    inactive, active = variants[:2], variants[2]
    async with db.connection() as conn:
        got = await read.rows(conn, p=[v.product_id for v in inactive] + [active.product_id],
                              v=[v.id for v in inactive] + [active.id])
    assert sorted(r[0] for r in got) == sorted(v.id for v in inactive)


async def test_each_read_is_counted_with_its_text_and_parameters(db):
    async with db.connection() as conn:
        with count_statements() as counter:
            await _by_ids(User).rows(conn, ids=[1, 2, 3])
    assert counter.count == 1
    sql, params = counter.statements[0]
    assert sql.startswith("SELECT") and "IN (" in sql and list(params) == [1, 2, 3, 3]


async def test_a_failed_read_does_not_spoil_the_next_on_the_shared_connection(db):
    missing = Read(sa.select(sa.column("x")).select_from(sa.table("no_such_table")))
    async with db.reading():
        async with db.session() as s:  # a SQLAlchemy read first: the connection is in a transaction
            assert (await s.exec(select(User.id).limit(1))).first()
        with pytest.raises(Exception, match="no_such_table"):
            async with db.connection() as conn:
                await missing.rows(conn)
        async with db.connection() as conn:
            assert len(await _by_ids(User).rows(conn, ids=[1, 2])) == 2


async def test_statements_built_per_request_take_their_own_values_in_one_shape(db):
    async with db.session() as s:
        orders = (await s.exec(select(Order).order_by(Order.id).limit(6))).all()

    def stmt(numbers, limit):
        return select(Order).where(Order.number.in_(numbers), Order.id > 0).order_by(Order.id).limit(limit)
    before = len(reads._SHAPES)
    async with db.connection() as conn:
        first = await reads.select_rows(conn, stmt([orders[0].number], 5))
        second = await reads.select_rows(conn, stmt([o.number for o in orders[1:]], 3))
    assert [r[0] for r in first] == [orders[0].id]
    assert [r[0] for r in second] == [o.id for o in orders[1:4]]
    assert len(reads._SHAPES) == before + 1


async def test_an_empty_list_under_not_in_is_refused_rather_than_matching_nothing(db):
    read = Read(select(Order.id).where(Order.id.not_in(bindparam("ids", expanding=True))))
    async with db.connection() as conn:
        with count_statements() as counter, pytest.raises(ValueError, match="NOT IN"):
            await read.rows(conn, ids=[])
        assert len(await read.rows(conn, ids=[-1])) > 0
    assert counter.count == 0


async def test_a_question_mark_in_a_literal_is_refused_when_compiled_not_misread(db):
    read = Read(sa.select(sa.literal_column("'?'").label("x")).where(sa.literal_column("1") == bindparam("a")))
    async with db.connection() as conn:
        if db.is_sqlite:
            with pytest.raises(ValueError, match="placeholders"):
                await read.rows(conn, a=1)
        else:  # "$n" placeholders: a "?" is only text
            assert await read.rows(conn, a=1) == [["?"]]


async def test_a_parameter_used_twice_is_bound_twice(db):
    read = Read(select(Order.id).where(Order.id >= bindparam("a"), Order.id <= bindparam("a")))
    async with db.session() as s:
        some = (await s.exec(select(Order.id).limit(1))).one()
    async with db.connection() as conn:
        assert await read.rows(conn, a=some) == [[some]]
