"""The binary COPY payload, decoded field by field as PostgreSQL reads it."""

import math
import struct

import numpy as np
import pytest
from cr_engine import pgcopy


def decode(payload):
    """A reader written from the COPY manual page, independent of the numpy layout."""
    assert payload[:11] == b"PGCOPY\n\xff\r\n\x00"
    flags, extension = struct.unpack(">ii", payload[11:19])
    assert (flags, extension) == (0, 0)
    offset, rows = 19, []
    while True:
        (fields,) = struct.unpack(">h", payload[offset : offset + 2])
        offset += 2
        if fields == -1:
            break
        row = []
        for position in range(fields):
            (length,) = struct.unpack(">i", payload[offset : offset + 4])
            offset += 4
            kind = ">i" if position == 0 else ">d"
            assert length == struct.calcsize(kind)
            (value,) = struct.unpack(kind, payload[offset : offset + length])
            offset += length
            row.append(value)
        rows.append(row)
    assert offset == len(payload), "nothing may follow the trailer"
    return rows


def test_rows_round_trip_with_missing_values_and_large_ids():
    ids = [7, 2_000_000_000, 1]
    values = [[1.5, float("nan")], [-0.25, 1e300], [0.0, 66.0]]
    rows = decode(pgcopy.float_table_payload(ids, values))
    assert [row[0] for row in rows] == ids
    assert rows[0][1] == 1.5 and math.isnan(rows[0][2])
    assert rows[1][1:] == [-0.25, 1e300]
    assert rows[2][1:] == [0.0, 66.0]


def test_an_empty_table_is_a_header_and_a_trailer():
    payload = pgcopy.float_table_payload([], np.empty((0, 3)))
    assert decode(payload) == []
    assert len(payload) == 19 + 2


def test_ids_that_do_not_fit_and_ragged_figures_are_refused():
    with pytest.raises(ValueError, match="32-bit"):
        pgcopy.float_table_payload([2**31], [[1.0]])
    with pytest.raises(ValueError, match="one row"):
        pgcopy.float_table_payload([1, 2], [[1.0]])


def test_what_is_written_reads_back_the_same():
    ids = [3, 1, 2_147_483_647]
    values = np.array([[1.0, -2.5, float("nan")], [0.0, 1e-300, 7.0], [66.0, 5.0, 4.0]])
    read_ids, read_values = pgcopy.read_float_table(pgcopy.float_table_payload(ids, values), 3)
    assert read_ids.tolist() == ids
    np.testing.assert_array_equal(read_values, values)  # NaN in the same places


def test_reading_refuses_rows_of_another_shape():
    payload = pgcopy.float_table_payload([1, 2], [[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError, match="shape"):
        pgcopy.read_float_table(payload, 3)
    # a NULL figure: length -1 and no value, so the row is 8 bytes shorter
    row = struct.pack(">hii", 2, 4, 9) + struct.pack(">i", -1)
    with pytest.raises(ValueError, match="shape"):
        pgcopy.read_float_table(pgcopy.HEADER + row + pgcopy.TRAILER, 1)
    with pytest.raises(ValueError, match="not a binary COPY"):
        pgcopy.read_float_table(b"id,figure\n1,2\n", 1)


def test_fingerprints_tell_changed_rows_apart():
    rng = np.random.default_rng(7)
    rows = rng.normal(size=(2000, 12)) * 1e4
    rows[rng.random(rows.shape) < 0.1] = np.nan
    first = pgcopy.row_fingerprints(rows, "1,2,3")
    # the same figures again (with another NaN bit pattern and -0.0) give the same fingerprints
    again = rows.copy()
    again[np.isnan(again)] = -np.nan
    assert np.array_equal(first, pgcopy.row_fingerprints(again, "1,2,3"))
    assert np.array_equal(pgcopy.row_fingerprints([[0.0]]), pgcopy.row_fingerprints([[-0.0]]))
    # no two different rows share one, and each is exact as a float8 (below 2**53)
    assert len(set(first.tolist())) == len(rows)
    assert (first < 2**53).all() and (first == np.floor(first)).all()
    # one figure changed by a cent, or moved to another column, or a missing figure: another one
    changed = rows.copy()
    changed[:, 5] = np.nan_to_num(changed[:, 5]) + 0.01
    assert (pgcopy.row_fingerprints(changed, "1,2,3") != first).all()
    swapped = rows[:, [1, 0, *range(2, 12)]]
    differs = ~(np.isnan(rows[:, 0]) & np.isnan(rows[:, 1])) & (np.nan_to_num(rows[:, 0]) != np.nan_to_num(rows[:, 1]))
    assert (pgcopy.row_fingerprints(swapped, "1,2,3")[differs] != first[differs]).all()
    # the same figures under other columns (salt) differ
    assert (pgcopy.row_fingerprints(rows, "1,2,4") != first).all()


def test_one_bytea_field_round_trips_and_other_shapes_are_refused():
    data = bytes(range(256)) * 3 + pgcopy.TRAILER  # any bytes, the trailer's among them
    payload = pgcopy.bytea_payload(data)
    assert len(payload) == len(pgcopy.HEADER) + 6 + len(data) + len(pgcopy.TRAILER)
    assert pgcopy.read_bytea(payload) == data
    assert pgcopy.read_bytea(pgcopy.bytea_payload(b"")) == b""
    assert pgcopy.read_bytea(pgcopy.HEADER + pgcopy.TRAILER) is None, "no row"
    two_fields = pgcopy.HEADER + struct.pack(">hi", 2, 1) + b"x" + struct.pack(">i", 1) + b"y" + pgcopy.TRAILER
    null = pgcopy.HEADER + struct.pack(">hi", 1, -1) + pgcopy.TRAILER
    for bad in (two_fields, null, payload[:-3] + pgcopy.TRAILER, b"text" + payload, payload[: len(pgcopy.HEADER) + 3]):
        with pytest.raises(ValueError):
            pgcopy.read_bytea(bad)
