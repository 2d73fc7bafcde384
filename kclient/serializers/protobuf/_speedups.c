/*
 * The decoding loop of kclient's protobuf codec, in C.
 *
 * It runs the same plans as pycodec.decode_message (see plan.py) and must give the
 * same dicts, the same DecodeErrors for malformed input, and skip or reject unknown
 * fields the same way; the test suite holds both implementations to the fixtures.
 * Python hands the plans over once with compile(); decode() then walks a buffer.
 *
 * Everything that is rare stays in Python, reached through callbacks given to
 * compile(): error construction, embedded JSON documents (RawExtension, FieldsV1),
 * and Go duration strings.
 */
#define PY_SSIZE_T_CLEAN
#include "_speedups.h"

enum { K_STRING, K_BYTES, K_BOOL, K_INT32, K_INT64, K_UINT32, K_UINT64, K_FLOAT, K_DOUBLE,
       K_MESSAGE, K_TIME, K_MICROTIME, K_DURATION, K_QUANTITY, K_INTORSTR, K_RAWEXT,
       K_FIELDSV1, K_SLICE };
enum { A_OMIT, A_ZERO, A_NULL, A_EMPTY_MESSAGE, A_LIST };

typedef struct {
    uint32_t number;
    int kind, wire_type, repeated, is_map, packable, is_inline, omit_zero, omitzero_struct;
    int absent, sub;
    PyObject *name, *zero, *path;
} Field;

typedef struct {
    int nfields, is_slice;
    Field *fields;
    uint32_t maxnum;
    int32_t *by_num;
    int ndefaults;
    int *defaults;  /* indices of fields whose absence puts something in the dict */
    PyObject *name;
} Plan;

static Plan *plans = NULL;
static int nplans = 0;
static PyObject *error_factory = NULL;  /* (message, offset) -> DecodeError instance */
static PyObject *embedded_cb = NULL;    /* (bytes, path) -> object */
static PyObject *duration_cb = NULL;    /* (nanoseconds) -> str */
PyObject *json_loads = NULL;            /* (bytes) -> object, raising ValueError */
static PyObject *s_items = NULL;
static PyObject *s_kind = NULL, *s_api_version = NULL;
PyObject *s_type = NULL, *s_object = NULL;
static PyObject *kind_index = NULL;    /* {(apiVersion, kind): plan index} */
static PyObject *any_version = NULL;   /* {kind: plan index} for kinds of every version */
static PyObject *untyped = NULL;       /* kinds whose JSON form has no apiVersion/kind */
/* the envelope last decoded: a stream repeats one apiVersion and kind, which make_str
 * hands back as the same objects, so the lookups above are done once per stream */
static PyObject *last_av = NULL, *last_kind = NULL;
static int last_plan = -1, last_typed = 0;

/* Reuse of unchanged parts, for the watch streams of a cache (FrameCursor with a memo).
 *
 * An update usually leaves most of an object as it was: a pod's spec, often its status.
 * With a memo (a dict the caller owns, {object key: remembered parts}), each part of a
 * watched object (a message field of the object itself, metadata aside) is hashed as
 * bytes before it is decoded; when the memo holds a part of the same field with the
 * same 128-bit hash, from an earlier event of the same key, that dict is used again
 * instead of decoding the bytes: it is what they decode to. The unchanged part then
 * costs neither a decode nor, later, the freeing of the old version's copy, and old
 * and new versions share it (objects from a cache are read-only).
 *
 * The key is the object's namespace/name, read from its metadata, which Go writes
 * before the other fields; an object whose parts come first is decoded in full. After
 * each event the memo holds the object's parts ({key: (hashes, name, part, ...)}), or
 * nothing for it after DELETED. (The JSON reader remembers a first sight otherwise:
 * see _json_event.c.) The hash is not cryptographic: equal hashes of unequal
 * bytes are not a risk for data from an API server, and the memo is the caller's to
 * leave out where that is not so. */
#define MEMO_PARTS 8

typedef struct {
    const uint8_t *buf;
    int strict;
    PyObject *memo;        /* NULL: no reuse */
    int memo_depth;        /* the depth of the watched object's own fields */
    PyObject *memo_key;    /* its key, once its metadata is read */
    PyObject *memo_old;    /* memo[key] before this event, if any */
    int nparts;
    PyObject *part_name[MEMO_PARTS];  /* borrowed: plan strings */
    PyObject *part[MEMO_PARTS];
    uint64_t part_hash[MEMO_PARTS][2];
} Ctx;

static void *fail(const char *msg, Py_ssize_t offset)
{
    PyObject *exc = PyObject_CallFunction(error_factory, "sn", msg, offset);
    if (exc != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
    }
    return NULL;
}

static void *failf(PyObject *path, const char *what, Py_ssize_t offset)
{
    PyObject *msg = PyUnicode_FromFormat("%U: %s", path, what);
    if (msg == NULL)
        return NULL;
    PyObject *exc = PyObject_CallFunction(error_factory, "On", msg, offset);
    Py_DECREF(msg);
    if (exc != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
    }
    return NULL;
}

/* 0 on success, -1 truncated, -2 too long */
static inline int read_varint(const uint8_t *b, Py_ssize_t *pos, Py_ssize_t end, uint64_t *out)
{
    Py_ssize_t p = *pos;
    if (p < end && b[p] < 0x80) {
        *out = b[p];
        *pos = p + 1;
        return 0;
    }
    uint64_t r = 0;
    int shift = 0;
    for (;;) {
        if (p >= end)
            return -1;
        uint8_t c = b[p++];
        if (shift < 64)
            r |= (uint64_t)(c & 0x7F) << shift;
        if (c < 0x80)
            break;
        shift += 7;
        if (shift >= 70)
            return -2;
    }
    *pos = p;
    *out = r;
    return 0;
}

static int varint_slow_fail(int rc, Py_ssize_t pos)
{
    if (rc == -1)
        fail("truncated varint", pos);
    else if (rc == -2)
        fail("varint longer than 10 bytes", pos);
    return rc;
}

static inline int varint_or_fail(const uint8_t *b, Py_ssize_t *pos, Py_ssize_t end, uint64_t *out)
{
    Py_ssize_t p = *pos;
    if (p < end && b[p] < 0x80) {
        *out = b[p];
        *pos = p + 1;
        return 0;
    }
    int rc = read_varint(b, pos, end, out);
    if (rc)
        return varint_slow_fail(rc, *pos);
    return 0;
}

/* How many fields with this tag follow at p, back to back (as Go writes the elements
 * of a repeated field): its list is then made at its size. Never raises; a malformed
 * field ends the count, and the decoder finds it again. */
static Py_ssize_t count_run(const uint8_t *b, Py_ssize_t p, Py_ssize_t end, uint64_t tag)
{
    Py_ssize_t n = 0;
    uint64_t k, v;
    while (p < end) {
        if (read_varint(b, &p, end, &k) != 0 || k != tag)
            break;
        switch (tag & 7) {
        case 0:
            if (read_varint(b, &p, end, &v) != 0)
                return n;
            break;
        case 1:
            p += 8;
            break;
        case 2:
            if (read_varint(b, &p, end, &v) != 0 || v > (uint64_t)(end - p))
                return n;
            p += (Py_ssize_t)v;
            break;
        case 5:
            p += 4;
            break;
        default:
            return n;
        }
        if (p > end)
            break;
        n++;
    }
    return n;
}

static int skip_field(const uint8_t *b, Py_ssize_t *pos, int wt, Py_ssize_t end)
{
    uint64_t n;
    switch (wt) {
    case 0:
        return varint_or_fail(b, pos, end, &n);
    case 2:
        if (varint_or_fail(b, pos, end, &n))
            return -1;
        if (n > (uint64_t)(end - *pos)) {
            fail("length-delimited field runs past its message", *pos);
            return -1;
        }
        *pos += (Py_ssize_t)n;
        return 0;
    case 1:
        if (*pos + 8 > end) {
            fail("truncated fixed64 field", *pos);
            return -1;
        }
        *pos += 8;
        return 0;
    case 5:
        if (*pos + 4 > end) {
            fail("truncated fixed32 field", *pos);
            return -1;
        }
        *pos += 4;
        return 0;
    default: {
        char msg[64];
        snprintf(msg, sizeof msg, "unsupported wire type %d", wt);
        fail(msg, *pos);
        return -1;
    }
    }
}

/* Short ASCII strings repeat across objects ("TCP", "True", image names, label
 * values): a direct-mapped cache returns the same str object for the same bytes,
 * saving the allocation and the memory of every repeat. Bounded: one slot each. */
#define SCACHE_SLOTS 16384
#define SCACHE_MAXLEN 40
static PyObject *scache[SCACHE_SLOTS];

PyObject *make_str(const uint8_t *p, Py_ssize_t n)
{
    if (n == 0 || n > SCACHE_MAXLEN)
        return PyUnicode_DecodeUTF8((const char *)p, n, "replace");
    /* 8 bytes at a time: check for ASCII and mix into the hash */
    uint64_t h = (uint64_t)n * 0x9E3779B97F4A7C15ull, bits = 0, w;
    Py_ssize_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, p + i, 8);
        bits |= w;
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
    }
    if (i < n) {
        w = 0;
        memcpy(&w, p + i, (size_t)(n - i));
        bits |= w;
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
    }
    if (bits & 0x8080808080808080ull)
        return PyUnicode_DecodeUTF8((const char *)p, n, "replace");
    h ^= h >> 29;
    PyObject **slot = &scache[h & (SCACHE_SLOTS - 1)];
    PyObject *s = *slot;
    if (s != NULL && PyUnicode_GET_LENGTH(s) == n && memcmp(PyUnicode_1BYTE_DATA(s), p, n) == 0) {
        Py_INCREF(s);
        return s;
    }
    s = PyUnicode_New(n, 127);
    if (s == NULL)
        return NULL;
    memcpy(PyUnicode_1BYTE_DATA(s), p, n);
    Py_XSETREF(*slot, Py_NewRef(s));
    return s;
}

/* Small non-negative integers repeat across objects too (ports, replica counts, sizes
 * in bytes or millis, grace periods): one shared int object per value below 65536,
 * made on first use. Python caches only -5..256 itself. */
#define ICACHE_SIZE 65536
static PyObject *icache[ICACHE_SIZE];

static PyObject *make_int(int64_t v)
{
    if (v < 0 || v >= ICACHE_SIZE)
        return PyLong_FromLongLong(v);
    PyObject *i = icache[v];
    if (i == NULL) {
        i = PyLong_FromLongLong(v);
        if (i == NULL)
            return NULL;
        icache[v] = i;
    }
    return Py_NewRef(i);
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static PyObject *b64(const uint8_t *src, Py_ssize_t n)
{
    Py_ssize_t outlen = ((n + 2) / 3) * 4;
    PyObject *s = PyUnicode_New(outlen, 127);
    if (s == NULL)
        return NULL;
    Py_UCS1 *o = PyUnicode_1BYTE_DATA(s);
    Py_ssize_t i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = ((uint32_t)src[i] << 16) | ((uint32_t)src[i + 1] << 8) | src[i + 2];
        *o++ = B64[v >> 18]; *o++ = B64[(v >> 12) & 63]; *o++ = B64[(v >> 6) & 63]; *o++ = B64[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)src[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)src[i + 1] << 8;
        *o++ = B64[v >> 18];
        *o++ = B64[(v >> 12) & 63];
        *o++ = (i + 1 < n) ? B64[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    return s;
}

/* seconds since the epoch -> "YYYY-MM-DDTHH:MM:SS" (19 chars); -1 if the year is out of range */
static int civil(int64_t secs, char *out)
{
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        y += 1;
    if (y < 0 || y > 9999)
        return -1;
    int hh = (int)(rem / 3600), mi = (int)(rem / 60 % 60), ss = (int)(rem % 60);
    out[0] = '0' + (char)(y / 1000); out[1] = '0' + (char)(y / 100 % 10);
    out[2] = '0' + (char)(y / 10 % 10); out[3] = '0' + (char)(y % 10); out[4] = '-';
    out[5] = '0' + (char)(m / 10); out[6] = '0' + (char)(m % 10); out[7] = '-';
    out[8] = '0' + (char)(d / 10); out[9] = '0' + (char)(d % 10); out[10] = 'T';
    out[11] = '0' + (char)(hh / 10); out[12] = '0' + (char)(hh % 10); out[13] = ':';
    out[14] = '0' + (char)(mi / 10); out[15] = '0' + (char)(mi % 10); out[16] = ':';
    out[17] = '0' + (char)(ss / 10); out[18] = '0' + (char)(ss % 10); out[19] = 0;
    return 0;
}

static PyObject *decode_message(Ctx *c, int pi, Py_ssize_t pos, Py_ssize_t end, int depth);
static PyObject *decode_into(Ctx *c, int pi, Py_ssize_t pos, Py_ssize_t end, int depth, PyObject *out);
static PyObject *decode_enveloped(Ctx *c, Py_ssize_t pos, Py_ssize_t end, int depth,
                                  PyObject *default_av, PyObject *default_kind);

static PyObject *read_special(Ctx *c, Field *f, int kind, Py_ssize_t pos, Py_ssize_t end, int depth)
{
    const uint8_t *b = c->buf;
    uint64_t a = 0, bb = 0;
    Py_ssize_t s_at = -1, s_len = 0, raw_at = -1, raw_len = 0;
    if (pos == end && (kind == K_TIME || kind == K_MICROTIME))
        Py_RETURN_NONE;
    while (pos < end) {
        uint64_t key, v;
        if (varint_or_fail(b, &pos, end, &key))
            return NULL;
        uint64_t num = key >> 3;
        int wt = (int)(key & 7);
        if (wt == 0) {
            if (varint_or_fail(b, &pos, end, &v))
                return NULL;
            if (num == 1)
                a = v;
            else if (num == 2)
                bb = v;
        } else if (wt == 2) {
            uint64_t n;
            if (varint_or_fail(b, &pos, end, &n))
                return NULL;
            if (n > (uint64_t)(end - pos))
                return failf(f->path, "length runs past its message", pos);
            if (num == 1 && (kind == K_QUANTITY || kind == K_RAWEXT || kind == K_FIELDSV1)) {
                if (kind == K_QUANTITY) { s_at = pos; s_len = (Py_ssize_t)n; }
                else { raw_at = pos; raw_len = (Py_ssize_t)n; }
            } else if (num == 3 && kind == K_INTORSTR) {
                s_at = pos;
                s_len = (Py_ssize_t)n;
            }
            pos += (Py_ssize_t)n;
        } else if (skip_field(b, &pos, wt, end)) {
            return NULL;
        }
    }
    char text[40];
    switch (kind) {
    case K_TIME:
        if (civil((int64_t)a, text))
            return failf(f->path, "timestamp is out of range", pos);
        text[19] = 'Z';
        return make_str((const uint8_t *)text, 20);
    case K_MICROTIME:
        if (civil((int64_t)a, text))
            return failf(f->path, "timestamp is out of range", pos);
        snprintf(text + 19, 21, ".%06dZ", (int)((int32_t)(uint32_t)bb / 1000));
        return make_str((const uint8_t *)text, (Py_ssize_t)strlen(text));
    case K_QUANTITY:
        if (s_at < 0)
            return PyUnicode_FromStringAndSize("", 0);
        return make_str(b + s_at, s_len);
    case K_INTORSTR:
        if (a == 1) {
            if (s_at < 0)
                return PyUnicode_FromStringAndSize("", 0);
            return make_str(b + s_at, s_len);
        }
        return make_int((int32_t)(uint32_t)bb);
    case K_DURATION:
        return PyObject_CallFunction(duration_cb, "L", (long long)(int64_t)a);
    default: /* RawExtension, FieldsV1 */
        if (raw_at < 0 || raw_len == 0)
            Py_RETURN_NONE;
        if (raw_len >= 4 && memcmp(b + raw_at, "k8s\0", 4) == 0)
            return decode_enveloped(c, raw_at, raw_at + raw_len, depth + 1, NULL, NULL);
        if (json_loads != NULL && !has_long_number(b + raw_at, raw_len)) {
            /* the common case (FieldsV1 of every managedFields entry): plain JSON
             * with no number near int64's limits, parsed in place through a view;
             * the rest goes to the callback */
            PyObject *view = PyMemoryView_FromMemory((char *)b + raw_at, raw_len, PyBUF_READ);
            if (view == NULL)
                return NULL;
            PyObject *r = PyObject_CallOneArg(json_loads, view);
            if (Py_REFCNT(view) != 1) {
                /* the parser kept the view: cut it off from memory it does not own */
                PyObject *et, *ev, *tb;
                PyErr_Fetch(&et, &ev, &tb);
                PyObject *rel = PyObject_CallMethod(view, "release", NULL);
                if (rel == NULL) {
                    Py_XDECREF(et); Py_XDECREF(ev); Py_XDECREF(tb);
                    Py_XDECREF(r);
                    Py_DECREF(view);
                    return NULL;
                }
                Py_DECREF(rel);
                PyErr_Restore(et, ev, tb);
            }
            Py_DECREF(view);
            if (r != NULL || !PyErr_ExceptionMatches(PyExc_ValueError))
                return r;
            PyErr_Clear();
        }
        {
            PyObject *raw = PyBytes_FromStringAndSize((const char *)b + raw_at, raw_len);
            if (raw == NULL)
                return NULL;
            PyObject *r = PyObject_CallFunctionObjArgs(embedded_cb, raw, f->path, NULL);
            Py_DECREF(raw);
            return r;
        }
    }
}

/* A length-delimited field's bytes [*start, *stop), *pos moved past them; -1 (an
 * error set) when the length runs past the message. */
static inline __attribute__((always_inline)) int
field_bounds(const uint8_t *b, Field *f, Py_ssize_t *pos, Py_ssize_t end, Py_ssize_t *start,
             Py_ssize_t *stop)
{
    uint64_t n;
    if (varint_or_fail(b, pos, end, &n))
        return -1;
    if (n > (uint64_t)(end - *pos)) {
        char msg[96];
        snprintf(msg, sizeof msg, "length %llu runs past the end of its message", (unsigned long long)n);
        failf(f->path, msg, *pos);
        return -1;
    }
    *start = *pos;
    *stop = *pos + (Py_ssize_t)n;
    *pos = *stop;
    return 0;
}

static PyObject *read_value(Ctx *c, Field *f, Py_ssize_t *pos, Py_ssize_t end, int depth)
{
    const uint8_t *b = c->buf;
    int kind = f->kind;
    uint64_t v;
    switch (kind) {
    case K_BOOL:
        if (varint_or_fail(b, pos, end, &v)) return NULL;
        return PyBool_FromLong(v != 0);
    case K_INT32:
        if (varint_or_fail(b, pos, end, &v)) return NULL;
        return make_int((int32_t)(uint32_t)v);
    case K_INT64:
        if (varint_or_fail(b, pos, end, &v)) return NULL;
        return make_int((int64_t)v);
    case K_UINT32:
        if (varint_or_fail(b, pos, end, &v)) return NULL;
        return make_int((uint32_t)v);
    case K_UINT64:
        if (varint_or_fail(b, pos, end, &v)) return NULL;
        return PyLong_FromUnsignedLongLong(v);
    case K_DOUBLE: {
        double d;
        if (*pos + 8 > end) return failf(f->path, "truncated double", *pos);
        memcpy(&d, b + *pos, 8);
        *pos += 8;
        return PyFloat_FromDouble(d);
    }
    case K_FLOAT: {
        float d;
        if (*pos + 4 > end) return failf(f->path, "truncated float", *pos);
        memcpy(&d, b + *pos, 4);
        *pos += 4;
        return PyFloat_FromDouble(d);
    }
    default:
        break;
    }
    Py_ssize_t start, stop;
    if (field_bounds(b, f, pos, end, &start, &stop) < 0)
        return NULL;
    switch (kind) {
    case K_STRING:
        return make_str(b + start, stop - start);
    case K_BYTES:
        return b64(b + start, stop - start);
    case K_MESSAGE:
        return decode_message(c, f->sub, start, stop, depth + 1);
    case K_SLICE: {
        PyObject *m = decode_message(c, f->sub, start, stop, depth + 1);
        if (m == NULL)
            return NULL;
        PyObject *items = PyDict_GetItemWithError(m, s_items);
        if (items != NULL && PyObject_IsTrue(items)) {
            Py_INCREF(items);
        } else {
            items = PyErr_Occurred() ? NULL : PyList_New(0);
        }
        Py_DECREF(m);
        return items;
    }
    default:
        return read_special(c, f, kind, start, stop, depth);
    }
}

/* The 128-bit product of x and y folded to 64 bits: the mixing step of wyhash. */
static inline uint64_t fold_mul(uint64_t x, uint64_t y)
{
    __uint128_t m = (__uint128_t)x * y;
    return (uint64_t)m ^ (uint64_t)(m >> 64);
}

/* A 128-bit hash of n bytes (not cryptographic): two 64-bit states, each taking both
 * words of every 16 bytes through one full multiply, folded together at the end. */
void hash128(const uint8_t *p, Py_ssize_t n, uint64_t out[2])
{
    const uint64_t k0 = 0xA0761D6478BD642Full, k1 = 0xE7037ED1A0B428DBull;
    const uint64_t k2 = 0x8EBC6AF09C88C6E3ull, k3 = 0x589965CC75374CC3ull;
    uint64_t a = k0 ^ (uint64_t)n, b = k1 + (uint64_t)n, w0, w1;
    Py_ssize_t i = 0;
    for (; i + 16 <= n; i += 16) {
        memcpy(&w0, p + i, 8);
        memcpy(&w1, p + i + 8, 8);
        a = fold_mul(a ^ w0, w1 ^ k2);
        b = fold_mul(b ^ w1, w0 ^ k3);
    }
    if (i < n) {  /* the last 1 to 15 bytes, zero-padded (n is in the seed) */
        Py_ssize_t rest = n - i;
        w0 = w1 = 0;
        memcpy(&w0, p + i, (size_t)(rest < 8 ? rest : 8));
        if (rest > 8)
            memcpy(&w1, p + i + 8, (size_t)(rest - 8));
        a = fold_mul(a ^ w0, w1 ^ k2);
        b = fold_mul(b ^ w1, w0 ^ k3);
    }
    out[0] = fold_mul(a ^ k3, b ^ k0);
    out[1] = fold_mul(b ^ k2, a ^ k1);
}

/* A part of the watched object: the remembered dict when its bytes are unchanged,
 * else decoded; remembered in the context either way. */
static PyObject *memo_part(Ctx *c, Field *f, Py_ssize_t *pos, Py_ssize_t end, int depth)
{
    Py_ssize_t start, stop;
    if (field_bounds(c->buf, f, pos, end, &start, &stop) < 0)
        return NULL;
    uint64_t h[2];
    hash128(c->buf + start, stop - start, h);
    h[0] += (uint64_t)(f->sub + 1) * 0x9E3779B97F4A7C15ull;  /* the message type too */
    PyObject *v = memo_find(c->memo_old, f->name, h);
    if (v != NULL)
        Py_INCREF(v);
    if (v == NULL && (v = decode_message(c, f->sub, start, stop, depth + 1)) == NULL)
        return NULL;
    int i = c->nparts++;
    c->part_name[i] = f->name;
    c->part[i] = Py_NewRef(v);
    c->part_hash[i][0] = h[0];
    c->part_hash[i][1] = h[1];
    return v;
}

/* The watched object's key from its decoded metadata, and what the memo holds for it. */
static void memo_begin(Ctx *c, PyObject *metadata)
{
    c->memo_key = memo_key_of(metadata);
    if (c->memo_key == NULL) {
        PyErr_Clear();
        return;
    }
    c->memo_old = memo_entry(c->memo, c->memo_key, 0);
}

/* After an event: remember its object's parts (forget them after DELETED). */
static int memo_commit(Ctx *c, PyObject *event)
{
    PyObject *type = PyDict_GetItemWithError(event, s_type);
    if (type == NULL && PyErr_Occurred())
        return -1;
    return memo_store(c->memo, c->memo_key, type, c->part_name, c->part,
                      (const uint64_t (*)[2])c->part_hash, c->nparts);
}

static void memo_end(Ctx *c)
{
    Py_CLEAR(c->memo_key);
    Py_CLEAR(c->memo_old);
    for (int i = 0; i < c->nparts; i++)
        Py_CLEAR(c->part[i]);
    c->nparts = 0;
}

static PyObject *absent_value(Ctx *c, Field *f, int depth)
{
    if (f->kind <= K_DOUBLE) {
        Py_INCREF(f->zero);
        return f->zero;
    }
    if (f->kind == K_MESSAGE)
        return decode_message(c, f->sub, 0, 0, depth + 1);
    if (f->kind == K_SLICE)
        Py_RETURN_NONE;
    return read_special(c, f, f->kind, 0, 0, depth);
}

static int read_map_entry(Ctx *c, Field *f, PyObject *m, Py_ssize_t pos, Py_ssize_t end, int depth)
{
    const uint8_t *b = c->buf;
    PyObject *key = NULL, *value = NULL;
    int wt_expected = f->kind <= K_DOUBLE ? f->wire_type : 2;
    while (pos < end) {
        uint64_t tag;
        if (varint_or_fail(b, &pos, end, &tag))
            goto error;
        uint64_t num = tag >> 3;
        int wt = (int)(tag & 7);
        if (num == 1 && wt == 2) {
            uint64_t n;
            if (varint_or_fail(b, &pos, end, &n))
                goto error;
            if (n > (uint64_t)(end - pos)) {
                failf(f->path, "map key runs past its entry", pos);
                goto error;
            }
            Py_XDECREF(key);
            key = make_str(b + pos, (Py_ssize_t)n);
            if (key == NULL)
                goto error;
            pos += (Py_ssize_t)n;
        } else if (num == 2) {
            if (wt != wt_expected) {
                failf(f->path, "map value has the wrong wire type", pos);
                goto error;
            }
            Py_XDECREF(value);
            value = read_value(c, f, &pos, end, depth);
            if (value == NULL)
                goto error;
        } else if (skip_field(b, &pos, wt, end)) {
            goto error;
        }
    }
    if (key == NULL && (key = PyUnicode_FromStringAndSize("", 0)) == NULL)
        goto error;
    if (value == NULL && (value = absent_value(c, f, depth)) == NULL)
        goto error;
    if (PyDict_SetItem(m, key, value) < 0)
        goto error;
    Py_DECREF(key);
    Py_DECREF(value);
    return 0;
error:
    Py_XDECREF(key);
    Py_XDECREF(value);
    return -1;
}

static int drop(PyObject *out, PyObject *name)
{
    if (PyDict_DelItem(out, name) < 0) {
        if (!PyErr_ExceptionMatches(PyExc_KeyError))
            return -1;
        PyErr_Clear();
    }
    return 0;
}

/* which fields of a message were set: one bit each */
#define SEEN(s, i) (((s)[(i) >> 6] >> ((i) & 63)) & 1)
#define MARK(s, i) ((s)[(i) >> 6] |= 1ull << ((i) & 63))
#define UNMARK(s, i) ((s)[(i) >> 6] &= ~(1ull << ((i) & 63)))

static int apply_defaults(Ctx *c, Plan *pl, PyObject *out, const uint64_t *seen, int depth)
{
    for (int k = 0; k < pl->ndefaults; k++) {
        int i = pl->defaults[k];
        Field *f = &pl->fields[i];
        if (f->is_inline || SEEN(seen, i))
            continue;
        PyObject *v;
        switch (f->absent) {
        case A_NULL: v = Py_None; Py_INCREF(v); break;
        case A_ZERO: v = f->zero; Py_INCREF(v); break;
        case A_LIST: v = PyList_New(0); break;
        default: v = absent_value(c, f, depth); break;
        }
        if (v == NULL)
            return -1;
        int rc = PyDict_SetItem(out, f->name, v);
        Py_DECREF(v);
        if (rc < 0)
            return -1;
    }
    for (int k = 0; k < pl->ndefaults; k++) {
        int i = pl->defaults[k];
        Field *f = &pl->fields[i];
        if (!f->is_inline || SEEN(seen, i))
            continue;
        PyObject *sub = decode_message(c, f->sub, 0, 0, depth + 1);
        if (sub == NULL)
            return -1;
        PyObject *k, *v;
        Py_ssize_t it = 0;
        while (PyDict_Next(sub, &it, &k, &v)) {
            if (PyDict_SetDefault(out, k, v) == NULL) {
                Py_DECREF(sub);
                return -1;
            }
        }
        Py_DECREF(sub);
    }
    return 0;
}

static PyObject *decode_message(Ctx *c, int pi, Py_ssize_t pos, Py_ssize_t end, int depth)
{
    PyObject *out = PyDict_New();
    if (out == NULL)
        return NULL;
    return decode_into(c, pi, pos, end, depth, out);
}

/* The lists and maps of repeated and map fields a message has seen: held (a strong
 * reference each, so that nothing done to `out` meanwhile can free them) from their
 * first element on, and released when the message ends.
 *
 * Lists grown by appending keep spare capacity (a 2-element list holds room for 8);
 * a cache keeps them for the object's life, so each is trimmed to its size then. */
static void release_containers(Plan *pl, const uint64_t *seen, PyObject **held, int trim)
{
    for (int i = 0; i < pl->nfields; i++) {
        Field *f = &pl->fields[i];
        if (!SEEN(seen, i) || !(f->repeated || f->is_map))
            continue;
        PyObject *c = held[i];
        if (trim && PyList_CheckExact(c)) {
            PyListObject *l = (PyListObject *)c;
            Py_ssize_t n = Py_SIZE(l);
            if (n > 0 && l->allocated > n) {
                PyObject **items = PyMem_Realloc(l->ob_item, (size_t)n * sizeof(PyObject *));
                if (items != NULL) {  /* else the spare room stays: harmless */
                    l->ob_item = items;
                    l->allocated = n;
                }
            }
        }
        Py_DECREF(c);
    }
}

/* A new list or map (consumed; NULL: failed to make) under the field's name in out,
 * held in held[fi] until the message ends; NULL on error. */
static PyObject *hold(PyObject *out, Field *f, PyObject *container, PyObject **held,
                      uint64_t *seen, int fi, int *nheld)
{
    if (container == NULL)
        return NULL;
    if (PyDict_SetItem(out, f->name, container) < 0) {
        Py_DECREF(container);
        return NULL;
    }
    held[fi] = container;
    MARK(seen, fi);
    (*nheld)++;
    return container;
}

/* Decode into `out` (a new reference that this function consumes). */
static PyObject *decode_into(Ctx *c, int pi, Py_ssize_t pos, Py_ssize_t end, int depth, PyObject *out)
{
    Plan *pl = &plans[pi];
    const uint8_t *b = c->buf;
    if (depth > 100) {
        Py_DECREF(out);
        return fail("message nesting too deep", pos);
    }
    /* per field: whether it was set, and the list (or map) a repeated (or map) field
     * adds to, held while the message is read */
    uint64_t seen_small[1] = {0};
    PyObject *lists_small[64];
    uint64_t *seen = seen_small;
    PyObject **lists = lists_small;
    int nlists = 0;  /* repeated and map fields seen: lists[] holds their containers */
    if (pl->nfields > 64) {
        seen = PyMem_Calloc((size_t)(pl->nfields + 63) / 64, sizeof(uint64_t));
        lists = PyMem_Calloc(pl->nfields, sizeof(PyObject *));
        if (seen == NULL || lists == NULL) {
            PyMem_Free(seen);
            PyMem_Free(lists);
            Py_DECREF(out);
            return PyErr_NoMemory();
        }
    }  /* lists[i] is valid once SEEN(seen, i) */
    while (pos < end) {
        uint64_t key;
        if (varint_or_fail(b, &pos, end, &key))
            goto error;
        uint64_t num = key >> 3;
        int wt = (int)(key & 7);
        Field *f = NULL;
        int fi = -1;
        if (num <= pl->maxnum && (fi = pl->by_num[num]) >= 0)
            f = &pl->fields[fi];
        if (f == NULL) {
            if (c->strict || num == 0) {
                PyObject *msg = PyUnicode_FromFormat(
                    num ? "%U: unknown field number %llu" : "%U: invalid field number %llu",
                    pl->name, (unsigned long long)num);
                if (msg != NULL) {
                    PyObject *exc = PyObject_CallFunction(error_factory, "On", msg, pos);
                    Py_DECREF(msg);
                    if (exc != NULL) {
                        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
                        Py_DECREF(exc);
                    }
                }
                goto error;
            }
            if (skip_field(b, &pos, wt, end))
                goto error;
            continue;
        }
        if (wt != f->wire_type) {
            if (wt == 2 && f->packable) {
                uint64_t n;
                if (varint_or_fail(b, &pos, end, &n))
                    goto error;
                if (n > (uint64_t)(end - pos)) {
                    failf(f->path, "packed field runs past its message", pos);
                    goto error;
                }
                Py_ssize_t stop = pos + (Py_ssize_t)n;
                PyObject *lst = SEEN(seen, fi) ? lists[fi] : NULL;
                if (lst == NULL
                        && (lst = hold(out, f, PyList_New(0), lists, seen, fi, &nlists)) == NULL)
                    goto error;
                while (pos < stop) {
                    PyObject *v = read_value(c, f, &pos, stop, depth);
                    if (v == NULL)
                        goto error;
                    int rc = PyList_Append(lst, v);
                    Py_DECREF(v);
                    if (rc < 0)
                        goto error;
                }
                pos = stop;
                continue;
            }
            char msg[64];
            snprintf(msg, sizeof msg, "wire type %d, expected %d", wt, f->wire_type);
            failf(f->path, msg, pos);
            goto error;
        }
        if (f->is_map) {
            uint64_t n;
            if (varint_or_fail(b, &pos, end, &n))
                goto error;
            if (n > (uint64_t)(end - pos)) {
                failf(f->path, "map entry runs past its message", pos);
                goto error;
            }
            if (!SEEN(seen, fi) && hold(out, f, PyDict_New(), lists, seen, fi, &nlists) == NULL)
                goto error;
            if (read_map_entry(c, f, lists[fi], pos, pos + (Py_ssize_t)n, depth) < 0)
                goto error;
            pos += (Py_ssize_t)n;
            continue;
        }
        if (f->is_inline && f->kind == K_MESSAGE) {
            /* an embedded struct whose fields the JSON form lifts into this object:
             * decoded straight into it */
            Py_ssize_t start, stop;
            if (field_bounds(b, f, &pos, end, &start, &stop) < 0)
                goto error;
            Py_INCREF(out);
            PyObject *same = decode_into(c, f->sub, start, stop, depth + 1, out);
            if (same == NULL)
                goto error;
            Py_DECREF(same);
            MARK(seen, fi);
            continue;
        }
        PyObject *v;
        if (c->memo != NULL && depth == c->memo_depth && c->memo_key != NULL
                && f->kind == K_MESSAGE && !f->repeated && c->nparts < MEMO_PARTS)
            v = memo_part(c, f, &pos, end, depth);
        else
            v = read_value(c, f, &pos, end, depth);
        if (v == NULL)
            goto error;
        if (c->memo != NULL && depth == c->memo_depth && c->memo_key == NULL
                && f->kind == K_MESSAGE && PyDict_CheckExact(v)
                && PyUnicode_CompareWithASCIIString(f->name, "metadata") == 0)
            memo_begin(c, v);
        int rc = 0;
        if (f->repeated) {
            if (!SEEN(seen, fi)) {
                /* room for the elements that follow: filled below, never regrown */
                PyObject *lst = PyList_New(1 + count_run(b, pos, end, key));
                if (lst != NULL) {
                    Py_INCREF(v);
                    PyList_SET_ITEM(lst, 0, v);
                    Py_SET_SIZE(lst, 1);
                }
                rc = hold(out, f, lst, lists, seen, fi, &nlists) == NULL ? -1 : 0;
            } else {
                PyListObject *l = (PyListObject *)lists[fi];
                Py_ssize_t size = Py_SIZE(l);
                if (size < l->allocated) {
                    Py_INCREF(v);
                    l->ob_item[size] = v;
                    Py_SET_SIZE(l, size + 1);
                } else {
                    rc = PyList_Append((PyObject *)l, v);
                }
            }
        } else if (f->is_inline) {
            rc = PyDict_Update(out, v);
            MARK(seen, fi);
        } else if ((f->omit_zero && (v == Py_False || (PyUnicode_Check(v) ? PyUnicode_GET_LENGTH(v) == 0
                                                     : PyObject_Not(v) == 1)))
                   || (v == Py_None && f->omitzero_struct)) {
            if (SEEN(seen, fi)) {  /* a later zero occurrence wins over an earlier value */
                rc = drop(out, f->name);
                UNMARK(seen, fi);
            }
        } else {
            rc = PyDict_SetItem(out, f->name, v);
            MARK(seen, fi);
        }
        Py_DECREF(v);
        if (rc < 0)
            goto error;
    }
    if (nlists) {
        release_containers(pl, seen, lists, 1);
        nlists = 0;
    }
    if (apply_defaults(c, pl, out, seen, depth) < 0)
        goto error;
    if (seen != seen_small) {
        PyMem_Free(seen);
        PyMem_Free(lists);
    }
    return out;
error:
    if (nlists)
        release_containers(pl, seen, lists, 0);
    Py_XDECREF(out);
    if (seen != seen_small) {
        PyMem_Free(seen);
        PyMem_Free(lists);
    }
    return NULL;
}

/* Read a length-delimited field's bounds; -1 on error (exception set). */
static int read_len(const uint8_t *b, Py_ssize_t *pos, Py_ssize_t end, Py_ssize_t *at, Py_ssize_t *len)
{
    uint64_t n;
    if (varint_or_fail(b, pos, end, &n))
        return -1;
    if (n > (uint64_t)(end - *pos)) {
        fail("protobuf: envelope field runs past the end", *pos);
        return -1;
    }
    *at = *pos;
    *len = (Py_ssize_t)n;
    *pos += (Py_ssize_t)n;
    return 0;
}

/* "k8s\0" + runtime.Unknown{1: typeMeta{1: apiVersion, 2: kind}, 2: raw, ...} at
 * [pos, end): the object's dict, with kind and apiVersion first. */
static PyObject *decode_enveloped(Ctx *c, Py_ssize_t pos, Py_ssize_t end, int depth,
                                  PyObject *default_av, PyObject *default_kind)
{
    const uint8_t *b = c->buf;
    Py_ssize_t av_at = -1, av_len = 0, kind_at = -1, kind_len = 0, raw_at = pos + 4, raw_len = 0;
    if (end - pos < 4 || memcmp(b + pos, "k8s\0", 4) != 0)
        return fail("protobuf: missing the k8s\\x00 prefix", pos);
    if (end - pos == 4)
        return fail("protobuf: empty body after the k8s\\x00 prefix", pos + 4);
    if (depth > 100)
        return fail("message nesting too deep", pos);
    pos += 4;
    while (pos < end) {
        uint64_t key;
        if (varint_or_fail(b, &pos, end, &key))
            return NULL;
        int wt = (int)(key & 7);
        if (wt != 2) {
            if (skip_field(b, &pos, wt, end))
                return NULL;
            continue;
        }
        Py_ssize_t at, len;
        if (read_len(b, &pos, end, &at, &len))
            return NULL;
        if ((key >> 3) == 1) {
            Py_ssize_t p = at, stop = at + len;
            while (p < stop) {
                uint64_t k2;
                if (varint_or_fail(b, &p, stop, &k2))
                    return NULL;
                if ((k2 & 7) != 2) {
                    if (skip_field(b, &p, (int)(k2 & 7), stop))
                        return NULL;
                    continue;
                }
                Py_ssize_t a2, l2;
                if (read_len(b, &p, stop, &a2, &l2))
                    return NULL;
                if ((k2 >> 3) == 1) { av_at = a2; av_len = l2; }
                else if ((k2 >> 3) == 2) { kind_at = a2; kind_len = l2; }
            }
        } else if ((key >> 3) == 2) {
            raw_at = at;
            raw_len = len;
        }
    }
    PyObject *av = av_len ? make_str(b + av_at, av_len)
                          : Py_NewRef(default_av ? default_av : Py_None);
    PyObject *kind = kind_len ? make_str(b + kind_at, kind_len)
                              : Py_NewRef(default_kind ? default_kind : Py_None);
    PyObject *out = NULL, *key = NULL, *idx = NULL;
    if (av == NULL || kind == NULL)
        goto done;
    if (kind == Py_None || (PyUnicode_Check(kind) && PyUnicode_GET_LENGTH(kind) == 0)) {
        fail("protobuf: envelope has no kind (and no default was given)", pos);
        goto done;
    }
    if (av == Py_None || (PyUnicode_Check(av) && PyUnicode_GET_LENGTH(av) == 0)) {
        fail("protobuf: object has no apiVersion", pos);
        goto done;
    }
    int plan, typed;
    if (av == last_av && kind == last_kind) {
        plan = last_plan;
        typed = last_typed;
        goto found;
    }
    key = PyTuple_Pack(2, av, kind);
    if (key == NULL)
        goto done;
    idx = PyDict_GetItemWithError(kind_index, key);
    if (idx == NULL && !PyErr_Occurred())
        idx = PyDict_GetItemWithError(any_version, kind);
    if (idx == NULL) {
        if (!PyErr_Occurred()) {
            PyObject *msg = PyUnicode_FromFormat(
                "protobuf: no schema for apiVersion %R kind %R", av, kind);
            if (msg != NULL) {
                PyObject *exc = PyObject_CallFunction(error_factory, "On", msg, raw_at);
                Py_DECREF(msg);
                if (exc != NULL) {
                    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
                    Py_DECREF(exc);
                }
            }
        }
        goto done;
    }
    plan = (int)PyLong_AsLong(idx);
    typed = PySet_Contains(untyped, kind);
    if (typed < 0)
        goto done;
    typed = !typed;
    Py_XSETREF(last_av, Py_NewRef(av));
    Py_XSETREF(last_kind, Py_NewRef(kind));
    last_plan = plan;
    last_typed = typed;
found:
    out = PyDict_New();
    if (out == NULL)
        goto done;
    if (typed && (PyDict_SetItem(out, s_kind, kind) < 0 || PyDict_SetItem(out, s_api_version, av) < 0)) {
        Py_CLEAR(out);
        goto done;
    }
    out = decode_into(c, plan, raw_at, raw_at + raw_len, depth + 1, out);
done:
    Py_XDECREF(av);
    Py_XDECREF(kind);
    Py_XDECREF(key);
    return out;
}

static void free_plans(void)
{
    for (int i = 0; i < nplans; i++) {
        Plan *pl = &plans[i];
        for (int j = 0; j < pl->nfields; j++) {
            Py_XDECREF(pl->fields[j].name);
            Py_XDECREF(pl->fields[j].zero);
            Py_XDECREF(pl->fields[j].path);
        }
        PyMem_Free(pl->fields);
        PyMem_Free(pl->by_num);
        PyMem_Free(pl->defaults);
        Py_XDECREF(pl->name);
    }
    PyMem_Free(plans);
    plans = NULL;
    nplans = 0;
}

/* compile(plans, error_factory, embedded_cb, duration_cb)
 * plans: list of (name, is_slice, fields); fields: list of
 * (number, name, kind, wire_type, repeated, is_map, packable, inline, omit_zero,
 *  omitzero_struct, absent, sub, zero, path) */
static PyObject *py_compile(PyObject *self, PyObject *args)
{
    PyObject *spec, *ef, *ec, *dc, *ki, *av, *ut;
    if (!PyArg_ParseTuple(args, "O!OOOO!O!O!", &PyList_Type, &spec, &ef, &ec, &dc,
                          &PyDict_Type, &ki, &PyDict_Type, &av, &PyFrozenSet_Type, &ut))
        return NULL;
    free_plans();
    Py_ssize_t n = PyList_GET_SIZE(spec);
    plans = PyMem_Calloc(n ? n : 1, sizeof(Plan));
    if (plans == NULL)
        return PyErr_NoMemory();
    nplans = (int)n;
    for (Py_ssize_t i = 0; i < n; i++) {
        Plan *pl = &plans[i];
        PyObject *fields;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(spec, i), "UpO!", &pl->name, &pl->is_slice,
                              &PyList_Type, &fields))
            goto error;
        Py_INCREF(pl->name);
        pl->nfields = (int)PyList_GET_SIZE(fields);
        pl->fields = PyMem_Calloc(pl->nfields ? pl->nfields : 1, sizeof(Field));
        if (pl->fields == NULL)
            goto nomem;
        pl->maxnum = 0;
        for (int j = 0; j < pl->nfields; j++) {
            Field *f = &pl->fields[j];
            unsigned int number;
            if (!PyArg_ParseTuple(PyList_GET_ITEM(fields, j), "IUiippppppiiOU", &number,
                                  &f->name, &f->kind, &f->wire_type, &f->repeated, &f->is_map,
                                  &f->packable, &f->is_inline, &f->omit_zero, &f->omitzero_struct,
                                  &f->absent, &f->sub, &f->zero, &f->path))
                goto error;
            f->number = number;
            Py_INCREF(f->name);
            PyUnicode_InternInPlace(&f->name);
            Py_INCREF(f->zero);
            Py_INCREF(f->path);
            if (number > pl->maxnum)
                pl->maxnum = number;
        }
        pl->by_num = PyMem_Malloc((pl->maxnum + 1) * sizeof(int32_t));
        if (pl->by_num == NULL)
            goto nomem;
        for (uint32_t k = 0; k <= pl->maxnum; k++)
            pl->by_num[k] = -1;
        for (int j = 0; j < pl->nfields; j++)
            pl->by_num[pl->fields[j].number] = j;
        pl->defaults = PyMem_Malloc((pl->nfields + 1) * sizeof(int));
        if (pl->defaults == NULL)
            goto nomem;
        pl->ndefaults = 0;
        for (int j = 0; j < pl->nfields; j++)  /* plain fields first, inline ones last */
            if (pl->fields[j].absent != A_OMIT && !pl->fields[j].is_inline)
                pl->defaults[pl->ndefaults++] = j;
        for (int j = 0; j < pl->nfields; j++)
            if (pl->fields[j].is_inline)
                pl->defaults[pl->ndefaults++] = j;
    }
    Py_XSETREF(error_factory, Py_NewRef(ef));
    Py_XSETREF(embedded_cb, Py_NewRef(ec));
    Py_XSETREF(duration_cb, Py_NewRef(dc));
    Py_XSETREF(kind_index, Py_NewRef(ki));
    Py_XSETREF(any_version, Py_NewRef(av));
    Py_XSETREF(untyped, Py_NewRef(ut));
    Py_CLEAR(last_av);
    Py_CLEAR(last_kind);
    last_plan = -1;
    Py_RETURN_NONE;
nomem:
    PyErr_NoMemory();
error:
    free_plans();
    return NULL;
}

/* decode(plan_index, buffer, start, end, strict) -> dict */
static PyObject *py_decode(PyObject *self, PyObject *args)
{
    int pi, strict;
    Py_buffer view;
    Py_ssize_t start, end;
    if (!PyArg_ParseTuple(args, "iy*nnp", &pi, &view, &start, &end, &strict))
        return NULL;
    PyObject *r = NULL;
    if (pi < 0 || pi >= nplans) {
        PyErr_SetString(PyExc_IndexError, "no such plan");
    } else if (start < 0 || end > view.len || start > end) {
        PyErr_SetString(PyExc_IndexError, "bad buffer bounds");
    } else {
        Ctx c = {(const uint8_t *)view.buf, strict};
        r = decode_message(&c, pi, start, end, 0);
    }
    PyBuffer_Release(&view);
    return r;
}

/* decode_object(buffer, strict, default_api_version, default_kind) -> dict */
static PyObject *py_decode_object(PyObject *self, PyObject *args)
{
    int strict;
    Py_buffer view;
    PyObject *dav, *dkind;
    if (!PyArg_ParseTuple(args, "y*pOO", &view, &strict, &dav, &dkind))
        return NULL;
    PyObject *r = NULL;
    if (nplans == 0) {
        PyErr_SetString(PyExc_RuntimeError, "plans not compiled");
    } else if (view.len == 0) {
        fail("protobuf: empty data", 0);
    } else {
        Ctx c = {(const uint8_t *)view.buf, strict};
        r = decode_enveloped(&c, 0, view.len, 0, dav == Py_None ? NULL : dav,
                             dkind == Py_None ? NULL : dkind);
    }
    PyBuffer_Release(&view);
    return r;
}

/* FrameCursor((plan_index, max_frame_size, event_types), buffer, pos)
 *
 * The loop of a length-delimited watch stream: an iterator over the frames (4-byte
 * big-endian length, then a message of the plan) lying wholly in buffer from pos on,
 * each decoded when next() asks for it, with the cyclic collector paused meanwhile;
 * .pos is where the next frame starts. It stops, without raising, before a frame that
 * is incomplete, larger than max_frame_size or malformed, and, when event_types is a
 * set, before a watch event whose type is not in it or that has no object: the caller
 * deals with that frame and its precise error, so nothing here raises for bad input.
 * The buffer must not change while the cursor lives (it holds an export of it). */
typedef struct {
    PyObject_HEAD
    Py_buffer view;
    int plan, check;
    Py_ssize_t max_frame, pos;
    PyObject *types;
    PyObject *memo;  /* or NULL: see "Reuse of unchanged parts" */
} FrameCursor;

static PyObject *cursor_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *params, *buffer;
    Py_ssize_t pos;
    if (kwds != NULL && PyDict_GET_SIZE(kwds)) {
        PyErr_SetString(PyExc_TypeError, "FrameCursor takes no keyword arguments");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "O!On", &PyTuple_Type, &params, &buffer, &pos))
        return NULL;
    int plan;
    Py_ssize_t max_frame;
    PyObject *types, *memo = Py_None;
    if (!PyArg_ParseTuple(params, "inO|O", &plan, &max_frame, &types, &memo))
        return NULL;
    if (memo != Py_None && !PyDict_CheckExact(memo)) {
        PyErr_SetString(PyExc_TypeError, "the memo must be a dict or None");
        return NULL;
    }
    if (plan < 0 || plan >= nplans) {
        PyErr_SetString(PyExc_IndexError, "no such plan");
        return NULL;
    }
    FrameCursor *self = (FrameCursor *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    if (PyObject_GetBuffer(buffer, &self->view, PyBUF_SIMPLE) < 0) {
        self->view.obj = NULL;
        Py_DECREF(self);
        return NULL;
    }
    if (pos < 0 || pos > self->view.len) {
        PyErr_SetString(PyExc_IndexError, "bad buffer position");
        Py_DECREF(self);
        return NULL;
    }
    self->plan = plan;
    self->max_frame = max_frame;
    self->pos = pos;
    self->types = Py_NewRef(types);
    self->check = PyAnySet_Check(types);
    self->memo = memo == Py_None ? NULL : Py_NewRef(memo);
    return (PyObject *)self;
}

static void cursor_dealloc(FrameCursor *self)
{
    if (self->view.obj != NULL)
        PyBuffer_Release(&self->view);
    Py_XDECREF(self->types);
    Py_XDECREF(self->memo);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *cursor_next(FrameCursor *self)
{
    const uint8_t *b = self->view.buf;
    Py_ssize_t pos = self->pos, len = self->view.len;
    if (len - pos < 4)
        return NULL;
    Py_ssize_t n = ((Py_ssize_t)b[pos] << 24) | (b[pos + 1] << 16) | (b[pos + 2] << 8) | b[pos + 3];
    if (n > self->max_frame || len - pos - 4 < n)
        return NULL;
    Ctx c = {b, 0};
    c.memo = self->memo;
    c.memo_depth = 2;  /* WatchEvent (0), its object's envelope (1), the object (2) */
    int collecting = PyGC_Disable();
    PyObject *v = decode_message(&c, self->plan, pos + 4, pos + 4 + n, 0);
    if (c.memo_key != NULL) {
        if (v != NULL && memo_commit(&c, v) < 0)
            Py_CLEAR(v);
        memo_end(&c);
    }
    if (collecting)
        PyGC_Enable();
    if (v == NULL) {
        if (PyErr_ExceptionMatches(PyExc_Exception))
            PyErr_Clear();  /* the caller decodes this frame again for its error */
        return NULL;        /* KeyboardInterrupt and the like go up as they are */
    }
    if (self->check) {
        PyObject *t = PyDict_GetItemWithError(v, s_type);
        PyObject *o = t != NULL ? PyDict_GetItemWithError(v, s_object) : NULL;
        if (PyErr_Occurred())
            PyErr_Clear();
        int known = t != NULL ? PySet_Contains(self->types, t) : 0;
        if (known < 0)
            PyErr_Clear();
        if (known != 1 || o == NULL || !PyDict_Check(o)) {
            Py_DECREF(v);
            return NULL;
        }
    }
    self->pos = pos + 4 + n;
    return v;
}

static PyObject *cursor_pos(FrameCursor *self, void *closure)
{
    return PyLong_FromSsize_t(self->pos);
}

static PyGetSetDef cursor_getset[] = {
    {"pos", (getter)cursor_pos, NULL, "where the next frame starts", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject FrameCursorType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "kclient.serializers.protobuf._speedups.FrameCursor",
    .tp_basicsize = sizeof(FrameCursor),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "An iterator decoding the whole frames of a buffer, one per next().",
    .tp_new = cursor_new,
    .tp_dealloc = (destructor)cursor_dealloc,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)cursor_next,
    .tp_getset = cursor_getset,
};

/* may_exceed_int64(buffer) -> bool: does the JSON text hold a number of 19 or 20
 * digits (after ':', ',' or '[', before a delimiter)? Such a number may lie past int64,
 * where Go reads a float64; the caller then checks the parsed values.
 *
 * Only every 19th byte is looked at: any run of 19 or more digits covers one of them.
 * A sampled digit is widened to its whole run, and sampling resumes 19 bytes past the
 * run's end, which again cannot step over a run that starts after it. */
#define IS_DIGIT(ch) ((uint8_t)((ch) - '0') <= 9)
#define IS_JSON_SPACE(ch) ((ch) == ' ' || (ch) == '\t' || (ch) == '\r' || (ch) == '\n')

static int long_number_at(const uint8_t *b, Py_ssize_t n, Py_ssize_t s, Py_ssize_t e)
{
    Py_ssize_t run = e - s;
    if (run < 19 || run > 20)
        return 0;  /* orjson reads 21 or more digits as a float already, as Go does */
    if (e < n && !(b[e] == ',' || b[e] == '}' || b[e] == ']' || IS_JSON_SPACE(b[e])))
        return 0;
    Py_ssize_t j = s - 1;
    if (j >= 0 && b[j] == '-')
        j--;
    while (j >= 0 && IS_JSON_SPACE(b[j]))
        j--;
    return j >= 0 && (b[j] == ':' || b[j] == ',' || b[j] == '[');
}

int has_long_number(const uint8_t *b, Py_ssize_t n)
{
    for (Py_ssize_t i = 18; i < n;) {
        if (!IS_DIGIT(b[i])) {
            i += 19;
            continue;
        }
        Py_ssize_t s = i, e = i + 1;
        while (s > 0 && IS_DIGIT(b[s - 1]))
            s--;
        while (e < n && IS_DIGIT(b[e]))
            e++;
        if (long_number_at(b, n, s, e))
            return 1;
        i = e + 19;
    }
    return 0;
}

static PyObject *py_may_exceed_int64(PyObject *self, PyObject *arg)
{
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    int found = has_long_number(view.buf, view.len);
    PyBuffer_Release(&view);
    return PyBool_FromLong(found);
}

/* set_json_loads(loads): the JSON parser for embedded documents and JSON watch events
 * (None: embedded documents go to the callback, and json_event declines) */
static PyObject *py_set_json_loads(PyObject *self, PyObject *arg)
{
    Py_XSETREF(json_loads, arg == Py_None ? NULL : Py_NewRef(arg));
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"may_exceed_int64", py_may_exceed_int64, METH_O, "Look for JSON numbers of 19-20 digits."},
    {"set_json_loads", py_set_json_loads, METH_O, "The JSON parser to use."},
    {"json_event", (PyCFunction)(void (*)(void))py_json_event, METH_FASTCALL,
     "A JSON watch event, reusing unchanged parts (None: not this way)."},
    {"decode_object", py_decode_object, METH_VARARGS, "Decode an enveloped object."},
    {"compile", py_compile, METH_VARARGS, "Load the message plans."},
    {"decode", py_decode, METH_VARARGS, "Decode a message with a plan."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_speedups", "C decoding loop for kclient's protobuf codec.", -1, methods,
};

PyMODINIT_FUNC PyInit__speedups(void)
{
    s_items = PyUnicode_InternFromString("items");
    s_kind = PyUnicode_InternFromString("kind");
    s_api_version = PyUnicode_InternFromString("apiVersion");
    s_type = PyUnicode_InternFromString("type");
    s_object = PyUnicode_InternFromString("object");
    if (s_items == NULL || s_kind == NULL || s_api_version == NULL || s_type == NULL ||
        s_object == NULL)
        return NULL;
    if (PyType_Ready(&FrameCursorType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    if (PyModule_AddObjectRef(m, "FrameCursor", (PyObject *)&FrameCursorType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
