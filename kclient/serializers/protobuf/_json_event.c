/*
 * json_event(memo, line) -> dict | None: one JSON watch event, {"type", "object"},
 * with the parts of the object its previous event of the same key already had
 * shared instead of parsed again: the JSON counterpart of the FrameCursor's memo
 * (see "Reuse of unchanged parts" in _speedups.c; the memo's entries have the same
 * shape, (hashes, name, part, name, part, ...), and the same lifetime).
 *
 * The event's structure is read here: its two members, then the object's members
 * (key, and where its value lies). Each part (an object-valued member other than
 * metadata) is hashed as text; an unchanged one is taken from the memo, the others
 * and every other value are parsed by orjson from their slice of the line. The result
 * equals orjson's parse of the whole line, member order included.
 *
 * Anything unusual makes it answer None without touching the memo, and the caller
 * parses the line as usual (and raises there for bad input): an escape or a non-ASCII
 * byte in a key, a duplicate member, a number that may lie past int64 (Go's rule is
 * applied on the usual path), an object of more than MAX_MEMBERS members, nesting
 * deeper than MAX_DEPTH, a slice orjson rejects. Nothing here raises for bad input.
 */

#include "_speedups.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define MAX_MEMBERS 24
#define MAX_DEPTH 512
#define MAX_PARTS 8

typedef struct {
    Py_ssize_t key, key_len, value, value_end;
} Member;

static Py_ssize_t skip_ws(const uint8_t *b, Py_ssize_t p, Py_ssize_t end)
{
    while (p < end && (b[p] == ' ' || b[p] == '\t' || b[p] == '\n' || b[p] == '\r'))
        p++;
    return p;
}

/* The end of the string starting at b[p] == '"' (after its closing quote), or -1: the
 * first quote not escaped, that is preceded by an even run of backslashes. (What lies
 * inside is checked by whoever parses the string.) */
static Py_ssize_t skip_string(const uint8_t *b, Py_ssize_t p, Py_ssize_t end)
{
    for (p++; p < end;) {
        const uint8_t *q = memchr(b + p, '"', (size_t)(end - p));
        if (q == NULL)
            return -1;
        Py_ssize_t at = q - b, s = at;
        while (s > p && b[s - 1] == '\\')
            s--;
        if ((at - s) % 2 == 0)
            return at + 1;
        p = at + 1;
    }
    return -1;
}

static const uint8_t special[256] = {
    ['"'] = 1, ['\\'] = 1, ['{'] = 1, ['}'] = 1, ['['] = 1, [']'] = 1,
};

/* Bit i set where b[i] is one of  " \ { } [ ]  (n <= 16 bytes). */
static inline uint32_t special_mask(const uint8_t *b, Py_ssize_t n)
{
#if defined(__SSE2__)
    if (n == 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)b);
        __m128i m = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
            _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('{')), _mm_cmpeq_epi8(v, _mm_set1_epi8('}'))),
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('[')), _mm_cmpeq_epi8(v, _mm_set1_epi8(']')))));
        return (uint32_t)_mm_movemask_epi8(m);
    }
#endif
    uint32_t mask = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        mask |= (uint32_t)special[b[i]] << i;
    return mask;
}

/* The end of the JSON value starting at b[p], or -1. Brackets must match; what lies
 * between them is checked by whoever parses the value. Containers are read 16 bytes
 * at a time: a mask of the bytes that matter, taken one set bit after another. */
static Py_ssize_t skip_value(const uint8_t *b, Py_ssize_t p, Py_ssize_t end)
{
    if (p >= end)
        return -1;
    if (b[p] == '"')
        return skip_string(b, p, end);
    if (b[p] != '{' && b[p] != '[') {  /* a number or a literal */
        while (p < end && b[p] != ',' && b[p] != '}' && b[p] != ']' && b[p] != ' '
               && b[p] != '\t' && b[p] != '\n' && b[p] != '\r')
            p++;
        return p;
    }
    uint8_t stack[MAX_DEPTH];
    int depth = 0, in_string = 0, skip_first = 0;
    for (Py_ssize_t base = p; base < end; base += 16) {
        Py_ssize_t n = end - base < 16 ? end - base : 16;
        uint32_t mask = special_mask(b + base, n);
        if (skip_first) {  /* the byte after a backslash that ended the last block */
            mask &= ~1u;
            skip_first = 0;
        }
        while (mask) {
            int bit = __builtin_ctz(mask);
            mask &= mask - 1;
            uint8_t ch = b[base + bit];
            if (in_string) {
                if (ch == '"') {
                    in_string = 0;
                } else if (ch == '\\') {  /* the escaped byte is not special */
                    if (bit == 15)
                        skip_first = 1;
                    else
                        mask &= ~(1u << (bit + 1));
                }
                continue;
            }
            if (ch == '"') {
                in_string = 1;
            } else if (ch == '{' || ch == '[') {
                if (depth == MAX_DEPTH)
                    return -1;
                stack[depth++] = ch == '{' ? '}' : ']';
            } else if (ch == '}' || ch == ']') {
                if (depth == 0 || stack[depth - 1] != ch)
                    return -1;
                if (--depth == 0)
                    return base + bit + 1;
            } else {
                return -1;  /* a backslash outside a string */
            }
        }
    }
    return -1;
}

/* The key of the member at b[p] (its opening quote) into m, up to the colon; where its
 * value starts, or -1. Keys must be plain ASCII: no escapes, no control bytes. */
static Py_ssize_t read_key(const uint8_t *b, Py_ssize_t p, Py_ssize_t end, Member *m)
{
    if (p >= end || b[p] != '"')
        return -1;
    Py_ssize_t k = p + 1, q = k;
    while (q < end && b[q] != '"') {
        if (b[q] == '\\' || b[q] < 0x20 || b[q] >= 0x80)
            return -1;
        q++;
    }
    if (q >= end)
        return -1;
    p = skip_ws(b, q + 1, end);
    if (p >= end || b[p] != ':')
        return -1;
    m->key = k;
    m->key_len = q - k;
    m->value = skip_ws(b, p + 1, end);
    return m->value;
}

/* The members of the object at b[p] == '{' into m; their number, or -1. Keys must be
 * plain ASCII (no escapes) and distinct. *after is set past the closing brace. */
static int read_members(const uint8_t *b, Py_ssize_t p, Py_ssize_t end, Member *m,
                        Py_ssize_t *after)
{
    if (p >= end || b[p] != '{')
        return -1;
    int n = 0;
    p = skip_ws(b, p + 1, end);
    if (p < end && b[p] == '}') {
        *after = p + 1;
        return 0;
    }
    for (;;) {
        if (n == MAX_MEMBERS)
            return -1;
        Py_ssize_t v = read_key(b, p, end, &m[n]);
        if (v < 0)
            return -1;
        for (int i = 0; i < n; i++)
            if (m[i].key_len == m[n].key_len
                    && memcmp(b + m[i].key, b + m[n].key, (size_t)m[n].key_len) == 0)
                return -1;
        p = skip_value(b, v, end);
        if (p < 0 || p == v)
            return -1;
        m[n].value_end = p;
        n++;
        p = skip_ws(b, p, end);
        if (p < end && b[p] == ',') {
            p = skip_ws(b, p + 1, end);
            continue;
        }
        if (p < end && b[p] == '}') {
            *after = p + 1;
            return n;
        }
        return -1;
    }
}

static int is_key(const uint8_t *b, const Member *m, const char *name)
{
    size_t n = strlen(name);
    return (size_t)m->key_len == n && memcmp(b + m->key, name, n) == 0;
}

/* orjson's parse of a slice of the line; NULL (no exception) if it is rejected. */
static PyObject *parse(const uint8_t *b, Py_ssize_t start, Py_ssize_t stop)
{
    PyObject *view = PyMemoryView_FromMemory((char *)b + start, stop - start, PyBUF_READ);
    if (view == NULL)
        return NULL;
    PyObject *r = PyObject_CallOneArg(json_loads, view);
    int kept = Py_REFCNT(view) != 1;
    Py_DECREF(view);
    if (kept) {  /* the parser kept a view of memory it does not own: not this way */
        Py_XDECREF(r);
        r = NULL;
    }
    if (r == NULL && PyErr_ExceptionMatches(PyExc_Exception))
        PyErr_Clear();
    return r;
}

/* The object of the event: its members in order, its parts from the memo where
 * unchanged. On success *key is its key (or NULL) and the parts are in names/parts. */
/* A plain string value (ASCII, no escapes) without orjson; else orjson's parse. */
static PyObject *value_of(const uint8_t *b, const Member *m)
{
    Py_ssize_t v = m->value, e = m->value_end;
    if (b[v] == '"' && e - v >= 2) {
        Py_ssize_t i = v + 1;
        while (i < e - 1 && b[i] != '\\' && b[i] >= 0x20 && b[i] < 0x80)
            i++;
        if (i == e - 1)
            return make_str(b + v + 1, e - v - 2);
    }
    return parse(b, v, e);
}

/* The object's key ("namespace/name", or "name") from its metadata's text, or NULL
 * (no exception) when it has none or not plainly written. Only the first members are
 * read (name and namespace lead, as the API server writes them): a key is only where
 * to look for parts to share, and a shared part is always checked by its hash. */
static PyObject *key_from_text(const uint8_t *b, const Member *meta)
{
    Py_ssize_t p = skip_ws(b, meta->value + 1, meta->value_end);
    Member name = {0, 0, -1, -1}, ns = {0, 0, -1, -1};
    for (int i = 0; i < 8 && p < meta->value_end && b[p] == '"'; i++) {
        Member m;
        if (read_key(b, p, meta->value_end, &m) < 0
                || (m.value_end = skip_value(b, m.value, meta->value_end)) < 0)
            return NULL;
        if (is_key(b, &m, "name"))
            name = m;
        else if (is_key(b, &m, "namespace"))
            ns = m;
        if (name.value >= 0 && ns.value >= 0)
            break;
        p = skip_ws(b, m.value_end, meta->value_end);
        if (p >= meta->value_end || b[p] != ',')
            break;
        p = skip_ws(b, p + 1, meta->value_end);
    }
    if (name.value < 0)
        return NULL;
    PyObject *nm = value_of(b, &name), *key = NULL;
    PyObject *nsv = ns.value >= 0 ? value_of(b, &ns) : NULL;
    if (nm != NULL && (ns.value < 0 || nsv != NULL))
        key = memo_key(nsv, nm);
    Py_XDECREF(nm);
    Py_XDECREF(nsv);
    if (key == NULL)
        PyErr_Clear();
    return key;
}

/* The hash of a part's text (a member whose value is an object, metadata aside). */
static int part_hash(const uint8_t *b, const Member *m, uint64_t h[2])
{
    if (b[m->value] != '{' || is_key(b, m, "metadata"))
        return 0;
    hash128(b + m->value, m->value_end - m->value, h);
    h[0] += 0x4A534F4Eull;  /* parts of JSON text */
    return 1;
}

/* The object of the event, its members in order, its parts from the memo entry
 * where unchanged (orjson parses the rest); the parts go to names/parts/hashes. */
static PyObject *build_object(PyObject *entry, const uint8_t *b, const Member *m, int n,
                              PyObject **names, PyObject **parts, uint64_t (*hashes)[2],
                              int *nparts)
{
    PyObject *obj = PyDict_New();
    if (obj == NULL)
        return NULL;
    for (int i = 0; i < n; i++) {
        PyObject *key = make_str(b + m[i].key, m[i].key_len), *value = NULL;
        if (key == NULL) {
            Py_DECREF(obj);
            return NULL;
        }
        uint64_t h[2];
        if (*nparts < MAX_PARTS && part_hash(b, &m[i], h)) {
            PyObject *same = memo_find(entry, key, h);
            value = same != NULL ? Py_NewRef(same) : parse(b, m[i].value, m[i].value_end);
            if (value != NULL) {
                names[*nparts] = Py_NewRef(key);
                parts[*nparts] = Py_NewRef(value);
                hashes[*nparts][0] = h[0];
                hashes[*nparts][1] = h[1];
                (*nparts)++;
            }
        } else {
            value = value_of(b, &m[i]);
        }
        int rc = value == NULL ? -1 : PyDict_SetItem(obj, key, value);
        Py_DECREF(key);
        Py_XDECREF(value);
        if (rc < 0) {
            Py_DECREF(obj);
            return NULL;
        }
    }
    return obj;
}

/* A first sight of the key: the whole line parsed at once, as it would be without a
 * memo; the parts to remember are taken from the result. */
static PyObject *parse_whole(const uint8_t *b, Py_ssize_t end, const Member *m, int n,
                             PyObject **names, PyObject **parts,
                             uint64_t (*hashes)[2], int *nparts)
{
    PyObject *event = parse(b, 0, end);
    if (event == NULL || !PyDict_CheckExact(event))
        goto fail;
    PyObject *obj = PyDict_GetItemWithError(event, s_object);
    if (obj == NULL || !PyDict_CheckExact(obj))
        goto fail;
    for (int i = 0; i < n && *nparts < MAX_PARTS; i++) {
        uint64_t h[2];
        if (!part_hash(b, &m[i], h))
            continue;
        PyObject *key = make_str(b + m[i].key, m[i].key_len);
        PyObject *value = key != NULL ? PyDict_GetItemWithError(obj, key) : NULL;
        if (value == NULL) {
            Py_XDECREF(key);
            goto fail;
        }
        names[*nparts] = key;
        parts[*nparts] = Py_NewRef(value);
        hashes[*nparts][0] = h[0];
        hashes[*nparts][1] = h[1];
        (*nparts)++;
    }
    return event;
fail:
    Py_XDECREF(event);
    return NULL;
}

/* {"type": "...", "object": {...}} (in either order) and nothing else: ev[*ti] is the
 * type member, ev[1 - *ti] the object's, whose members go to m (*k of them) in the
 * same pass. -1 for anything else. */
static int read_event(const uint8_t *b, Py_ssize_t end, Member *ev, Member *m, int *k, int *ti)
{
    Py_ssize_t p = skip_ws(b, 0, end);
    if (p >= end || b[p] != '{')
        return -1;
    p = skip_ws(b, p + 1, end);
    for (int i = 0; i < 2; i++) {
        if ((p = read_key(b, p, end, &ev[i])) < 0)
            return -1;
        if (is_key(b, &ev[i], "object") && *k < 0) {
            *k = read_members(b, p, end, m, &p);
            if (*k < 0)
                return -1;
        } else if (is_key(b, &ev[i], "type") && *ti < 0 && p < end && b[p] == '"') {
            *ti = i;
            p = skip_string(b, p, end);
            if (p < 0)
                return -1;
        } else {
            return -1;
        }
        ev[i].value_end = p;
        p = skip_ws(b, p, end);
        if (p >= end || b[p] != (i == 0 ? ',' : '}'))
            return -1;
        p = skip_ws(b, p + 1, end);
    }
    return (*ti >= 0 && *k >= 0 && p == end) ? 0 : -1;
}

PyObject *py_json_event(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyDict_CheckExact(args[0])) {
        PyErr_SetString(PyExc_TypeError, "json_event(memo: dict, line)");
        return NULL;
    }
    if (json_loads == NULL)
        Py_RETURN_NONE;
    PyObject *memo = args[0];
    Py_buffer view;
    if (PyObject_GetBuffer(args[1], &view, PyBUF_SIMPLE) < 0)
        return NULL;
    const uint8_t *b = view.buf;
    Py_ssize_t end = view.len;
    PyObject *result = NULL, *type = NULL, *obj = NULL, *key = NULL, *entry = NULL;
    PyObject *names[MAX_PARTS], *parts[MAX_PARTS];
    uint64_t hashes[MAX_PARTS][2];
    int nparts = 0;
    Member ev[2], m[MAX_MEMBERS];
    if (has_long_number(b, end))
        goto done;
    int k = -1, ti = -1;
    if (read_event(b, end, ev, m, &k, &ti) < 0)
        goto done;
    type = value_of(b, &ev[ti]);
    if (type == NULL || !PyUnicode_Check(type))
        goto done;
    for (int i = 0; i < k && key == NULL; i++)
        if (is_key(b, &m[i], "metadata") && b[m[i].value] == '{')
            key = key_from_text(b, &m[i]);
    if (key == NULL)
        goto done;  /* nothing to share: the usual parse */
    entry = memo_entry(memo, key);
    if (entry == NULL) {
        result = parse_whole(b, end, m, k, names, parts, hashes, &nparts);
    } else {
        obj = build_object(entry, b, m, k, names, parts, hashes, &nparts);
        if (obj == NULL)
            goto done;
        result = PyDict_New();
        if (result == NULL)
            goto done;
        if (PyDict_SetItem(result, ti == 0 ? s_type : s_object, ti == 0 ? type : obj) < 0
            || PyDict_SetItem(result, ti == 0 ? s_object : s_type, ti == 0 ? obj : type) < 0)
            Py_CLEAR(result);
    }
    if (result != NULL && memo_store(memo, key, type, names, parts,
                                     (const uint64_t (*)[2])hashes, nparts) < 0)
        Py_CLEAR(result);
done:
    PyBuffer_Release(&view);
    for (int i = 0; i < nparts; i++) {
        Py_DECREF(names[i]);
        Py_DECREF(parts[i]);
    }
    Py_XDECREF(type);
    Py_XDECREF(obj);
    Py_XDECREF(key);
    Py_XDECREF(entry);
    if (result == NULL) {
        if (PyErr_Occurred() && !PyErr_ExceptionMatches(PyExc_Exception))
            return NULL;  /* KeyboardInterrupt and the like go up as they are */
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    return result;
}
