"""PostgreSQL binary COPY of a table of ids and float figures, written and read with numpy.

Writing tens of thousands of evaluated customers back to the database is dominated by
turning floats into text (CSV, or SQL literals for array parameters). In PostgreSQL's
binary COPY format every row of ``(int4 id, float8, float8, ...)`` has the same length, so
the whole payload is one numpy structured array in network byte order: no per-value Python
work at all. Missing values travel as NaN (float8 keeps NaN); the statement that reads the
loaded table turns them into NULL with ``NULLIF(column, 'NaN')``.

The other way, ``COPY (SELECT id, COALESCE(figure, 'NaN'), ...) TO STDOUT (FORMAT binary)``
gives rows of the same fixed shape, read back into arrays in one step by ``read_float_table``
instead of building a Python tuple and object per value.

Format reference: the "Binary Format" section of the COPY page of the PostgreSQL manual
(signature, flags, header extension, then per tuple a 16-bit field count and per field a
32-bit length and the value, and a trailer of -1).
"""

import hashlib
import struct

import numpy as np

SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
HEADER = SIGNATURE + struct.pack(">ii", 0, 0)
TRAILER = struct.pack(">h", -1)


def float_table_payload(ids, values):
    """Binary COPY data for rows ``(ids[i], values[i, 0], values[i, 1], ...)``.

    :param ids: sequence of n integers (int4 column)
    :param values: array-like of shape (n, k) of floats (float8 columns); NaN for missing
    :return: bytes to send with ``COPY table (id, c1 .. ck) FROM STDIN WITH (FORMAT binary)``
    """
    ids = np.asarray(ids, dtype=np.int64)
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] != ids.shape[0]:
        raise ValueError("values must have one row of figures per id")
    if ids.size and (ids.min() < -(2**31) or ids.max() >= 2**31):
        raise ValueError("ids must fit in a 32-bit integer")
    count, width = values.shape
    # One record per row: field count, the id (length, value), then the figures as
    # (length, value) pairs; numpy converts to network byte order on assignment.
    rows = np.empty(count, dtype=_layout(width))
    rows["fields"] = width + 1
    rows["id_length"] = 4
    rows["id"] = ids
    rows["figures"]["length"] = 8
    rows["figures"]["value"] = values
    return HEADER + rows.tobytes() + TRAILER


def _layout(width):
    figure = np.dtype([("length", ">i4"), ("value", ">f8")])
    return np.dtype([("fields", ">i2"), ("id_length", ">i4"), ("id", ">i4"), ("figures", figure, (width,))])


def read_float_table(payload, width):
    """Read binary COPY data of rows ``(int4 id, float8 * width)`` with no NULL.

    :return: (ids as an int64 array, figures as a float64 array of shape (n, width))
    :raise ValueError: when the data is not in that shape (a NULL, another type, a header
        extension), rather than reading garbage
    """
    payload = bytes(payload)
    if not payload.startswith(SIGNATURE) or len(payload) < len(HEADER) + len(TRAILER):
        raise ValueError("not a binary COPY payload")
    flags, extension = struct.unpack(">ii", payload[len(SIGNATURE) : len(HEADER)])
    if flags or extension:
        raise ValueError("binary COPY with flags or a header extension is not supported")
    if payload[-len(TRAILER) :] != TRAILER:
        raise ValueError("binary COPY payload without its trailer")
    layout = _layout(width)
    body = payload[len(HEADER) : -len(TRAILER)]
    if len(body) % layout.itemsize:
        raise ValueError(f"rows of another shape than an id and {width} figures")
    rows = np.frombuffer(body, dtype=layout)
    if len(rows) and (
        (rows["fields"] != width + 1).any() or (rows["id_length"] != 4).any() or (rows["figures"]["length"] != 8).any()
    ):
        raise ValueError(f"rows of another shape than an id and {width} figures (or a NULL)")
    return rows["id"].astype(np.int64), rows["figures"]["value"].astype(np.float64)


def bytea_payload(data):
    """Binary COPY data of one row of one ``bytea`` field holding ``data``: sent as it is,
    where a ``bytea`` parameter of a statement travels as hexadecimal text twice its size."""
    data = bytes(data)
    return HEADER + struct.pack(">hi", 1, len(data)) + data + TRAILER


def read_bytea(payload):
    """``data`` of a binary COPY of one row of one non-NULL ``bytea`` field (``bytea_payload``),
    or None when the COPY gave no row.

    :raise ValueError: when the data is not in that shape
    """
    payload = bytes(payload)
    if not payload.startswith(HEADER) or not payload.endswith(TRAILER):
        raise ValueError("not a binary COPY payload without flags and header extension")
    body = payload[len(HEADER) : -len(TRAILER)]
    if not body:
        return None
    if len(body) < 6:
        raise ValueError("binary COPY row too short")
    fields, length = struct.unpack(">hi", body[:6])
    if fields != 1 or length < 0 or len(body) != 6 + length:
        raise ValueError("not one row of one non-NULL field")
    return body[6:]


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)


def _mix(x):
    """The splitmix64 finaliser: every input bit flips about half of the output bits."""
    x = x ^ (x >> np.uint64(30))
    x = x * _MIX_1
    x = x ^ (x >> np.uint64(27))
    x = x * _MIX_2
    return x ^ (x >> np.uint64(31))


def row_fingerprints(values, salt=""):
    """A 53-bit fingerprint of each row of floats, returned as float64 (exact in a float8).

    Equal rows (NaN equal to NaN) give equal fingerprints; a change anywhere in a row gives
    another one except with a chance of about 2**-53. ``salt`` (text, e.g. the meaning of
    the columns) enters every fingerprint, so that the same figures under other columns
    differ. Meant to tell which rows changed since they were last written, not for security.
    """
    values = np.array(values, dtype=np.float64, ndmin=2, copy=True)
    values[np.isnan(values)] = np.nan  # one bit pattern for every NaN
    values[values == 0.0] = 0.0  # and for -0.0
    count, width = values.shape
    salt_word = np.uint64(int.from_bytes(hashlib.blake2b(salt.encode(), digest_size=8).digest(), "big"))
    with np.errstate(over="ignore"):
        positions = (np.arange(1, width + 1, dtype=np.uint64) * _GOLDEN) ^ salt_word
        mixed = _mix(values.view(np.uint64) ^ positions[np.newaxis, :])
        total = mixed.sum(axis=1, dtype=np.uint64) if width else np.zeros(count, dtype=np.uint64)
        fingerprints = _mix(total ^ salt_word)
    return (fingerprints >> np.uint64(11)).astype(np.float64)
