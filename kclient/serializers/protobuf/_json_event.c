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

static const uint8_t structural[256] = {
    ['"'] = 1, ['{'] = 1, ['}'] = 1, ['['] = 1, [']'] = 1,
};

/* The end of the JSON value starting at b[p], or -1. Brackets must match; what lies
 * between them is checked by whoever parses the value. */
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
    int depth = 0;
    while (p < end) {
        uint8_t ch = b[p];
        if (!structural[ch]) {
            p++;
            continue;
        }
        if (ch == '"') {
            p = skip_string(b, p, end);
            if (p < 0)
                return -1;
            continue;
        }
        if (ch == '{' || ch == '[') {
            if (depth == MAX_DEPTH)
                return -1;
            stack[depth++] = ch == '{' ? '}' : ']';
        } else if (ch == '}' || ch == ']') {
            if (depth == 0 || stack[depth - 1] != ch)
                return -1;
            if (--depth == 0)
                return p + 1;
        }
        p++;
    }
    return -1;
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
        if (n == MAX_MEMBERS || p >= end || b[p] != '"')
            return -1;
        Py_ssize_t k = p + 1, q = k;
        while (q < end && b[q] != '"') {
            if (b[q] == '\\' || b[q] < 0x20 || b[q] >= 0x80)
                return -1;
            q++;
        }
        if (q >= end)
            return -1;
        for (int i = 0; i < n; i++)
            if (m[i].key_len == q - k && memcmp(b + m[i].key, b + k, (size_t)(q - k)) == 0)
                return -1;
        p = skip_ws(b, q + 1, end);
        if (p >= end || b[p] != ':')
            return -1;
        p = skip_ws(b, p + 1, end);
        Py_ssize_t v = p;
        p = skip_value(b, p, end);
        if (p < 0 || p == v)
            return -1;
        m[n].key = k;
        m[n].key_len = q - k;
        m[n].value = v;
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
static PyObject *build_object(PyObject *memo, const uint8_t *b, const Member *m, int n,
                              PyObject **key, PyObject **names, PyObject **parts,
                              uint64_t (*hashes)[2], int *nparts)
{
    PyObject *values[MAX_MEMBERS] = {NULL};
    PyObject *keys[MAX_MEMBERS] = {NULL};
    PyObject *obj = NULL, *entry = NULL;
    int meta = -1;
    for (int i = 0; i < n; i++)
        if (is_key(b, &m[i], "metadata"))
            meta = i;
    if (meta >= 0) {
        values[meta] = parse(b, m[meta].value, m[meta].value_end);
        if (values[meta] == NULL || !PyDict_CheckExact(values[meta]))
            goto done;
        *key = memo_key_of(values[meta]);
        if (*key == NULL && PyErr_Occurred())
            goto done;
        if (*key != NULL)
            entry = memo_entry(memo, *key);
    }
    for (int i = 0; i < n; i++) {
        keys[i] = make_str(b + m[i].key, m[i].key_len);
        if (keys[i] == NULL)
            goto done;
        if (i == meta)
            continue;
        if (*key != NULL && b[m[i].value] == '{' && *nparts < MAX_PARTS) {
            uint64_t h[2];
            hash128(b + m[i].value, m[i].value_end - m[i].value, h);
            h[0] += 0x4A534F4Eull;  /* parts of JSON text */
            PyObject *same = memo_find(entry, keys[i], h);
            values[i] = same != NULL ? Py_NewRef(same) : parse(b, m[i].value, m[i].value_end);
            if (values[i] == NULL)
                goto done;
            names[*nparts] = Py_NewRef(keys[i]);
            parts[*nparts] = Py_NewRef(values[i]);
            hashes[*nparts][0] = h[0];
            hashes[*nparts][1] = h[1];
            (*nparts)++;
        } else if ((values[i] = parse(b, m[i].value, m[i].value_end)) == NULL) {
            goto done;
        }
    }
    obj = PyDict_New();
    if (obj == NULL)
        goto done;
    for (int i = 0; i < n; i++) {
        if (PyDict_SetItem(obj, keys[i], values[i]) < 0) {
            Py_CLEAR(obj);
            goto done;
        }
    }
done:
    for (int i = 0; i < n; i++) {
        Py_XDECREF(keys[i]);
        Py_XDECREF(values[i]);
    }
    Py_XDECREF(entry);
    return obj;
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
        if (p >= end || b[p] != '"')
            return -1;
        Py_ssize_t key = p + 1, q = skip_string(b, p, end);
        if (q < 0)
            return -1;
        ev[i].key = key;
        ev[i].key_len = q - 1 - key;
        p = skip_ws(b, q, end);
        if (p >= end || b[p] != ':')
            return -1;
        p = skip_ws(b, p + 1, end);
        ev[i].value = p;
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
    PyObject *result = NULL, *type = NULL, *obj = NULL, *key = NULL;
    PyObject *names[MAX_PARTS], *parts[MAX_PARTS];
    uint64_t hashes[MAX_PARTS][2];
    int nparts = 0;
    Member ev[2], m[MAX_MEMBERS];
    if (has_long_number(b, end))
        goto done;
    int k = -1, ti = -1;
    if (read_event(b, end, ev, m, &k, &ti) < 0)
        goto done;
    type = parse(b, ev[ti].value, ev[ti].value_end);
    if (type == NULL || !PyUnicode_Check(type))
        goto done;
    obj = build_object(memo, b, m, k, &key, names, parts, hashes, &nparts);
    if (obj == NULL)
        goto done;
    result = PyDict_New();
    if (result == NULL)
        goto done;
    if (PyDict_SetItem(result, ti == 0 ? s_type : s_object, ti == 0 ? type : obj) < 0
        || PyDict_SetItem(result, ti == 0 ? s_object : s_type, ti == 0 ? obj : type) < 0
        || (key != NULL && memo_store(memo, key, type, names, parts,
                                      (const uint64_t (*)[2])hashes, nparts) < 0))
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
    if (result == NULL) {
        if (PyErr_Occurred() && !PyErr_ExceptionMatches(PyExc_Exception))
            return NULL;  /* KeyboardInterrupt and the like go up as they are */
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    return result;
}
