/*
 * json_event(memo, line, numbers_checked=False) -> dict | None: one JSON watch event,
 * {"type", "object"},
 * with the parts of the object its previous event of the same key already had
 * shared instead of parsed again: the JSON counterpart of the FrameCursor's memo
 * (see "Reuse of unchanged parts" in _speedups.c; the memo's entries have the same
 * shape, (hashes, name, part, name, part, ...), and the same lifetime).
 *
 * The key is read first, from the start of the object's metadata. A key the memo
 * does not hold (a first sight: every event of a streaming initial list) costs only
 * that: the line is parsed whole, and its object itself is remembered, unhashed. A
 * key the memo holds has its event's structure read: its two members, then the
 * object's members (key, and where its value lies). Each part (an object-valued
 * member other than metadata) is hashed as text; an unchanged one is taken from the
 * memo, the others and every other value are parsed by orjson from their slice of
 * the line. A part is unchanged when its hash is the remembered one, or, against a
 * first sight's object, when the text is exactly what orjson would write for that
 * object's part (checked in place, see same_text): then the text parses to a dict
 * equal to it. (A part with an escaped string or a float, or written otherwise, is
 * parsed at that event and shared by hash from the next.) The result equals orjson's
 * parse of the whole line, member order included.
 *
 * Anything unusual makes it answer None without touching the memo, and the caller
 * parses the line as usual (and raises there for bad input): a number that may lie
 * past int64 (Go's rule is applied on the usual path; numbers_checked says the caller
 * has looked for those already), or, when the key is held, an
 * escape or a non-ASCII byte in a key, a duplicate member, an object of more than
 * MAX_MEMBERS members, a slice orjson rejects. Nothing here raises for bad input.
 */

#include "_speedups.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define MAX_MEMBERS 24
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

/* The bytes of a 64-byte block that matter to the scan, one bit per byte. */
typedef struct {
    uint64_t quote, backslash, open, close;  /* '"'  '\'  '{' or '['  '}' or ']' */
} Block;

static inline void block_of(const uint8_t *b, Block *k)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    const __m128i open = _mm_set1_epi8('{'), close = _mm_set1_epi8('}'), low = _mm_set1_epi8(0x20);
    uint64_t q = 0, s = 0, o = 0, c = 0;
#define KC_LANE(i) do { \
        __m128i v = _mm_loadu_si128((const __m128i *)(b + 16 * (i))); \
        __m128i f = _mm_or_si128(v, low);  /* '[' and ']' fold onto '{' and '}' */ \
        q |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) << (16 * (i)); \
        s |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, backslash)) << (16 * (i)); \
        o |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(f, open)) << (16 * (i)); \
        c |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(f, close)) << (16 * (i)); \
    } while (0)
    KC_LANE(0);
    KC_LANE(1);
    KC_LANE(2);
    KC_LANE(3);
#undef KC_LANE
    k->quote = q;
    k->backslash = s;
    k->open = o;
    k->close = c;
#else
    k->quote = k->backslash = k->open = k->close = 0;
    for (int i = 0; i < 64; i++) {
        uint64_t bit = 1ull << i;
        switch (b[i]) {
        case '"': k->quote |= bit; break;
        case '\\': k->backslash |= bit; break;
        case '{': case '[': k->open |= bit; break;
        case '}': case ']': k->close |= bit; break;
        }
    }
#endif
}

/* Bit i set where an odd number of bits 0..i of x are (a quote opens a string, the
 * next closes it: the bits of a block inside strings, opening quote included). */
static inline uint64_t prefix_xor(uint64_t x)
{
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

/* The bytes escaped by a backslash: each backslash not itself escaped escapes the
 * next byte; *carry says the block's first byte is escaped and is set when its last
 * byte escapes the next block's first. Backslashes are rare: taken one by one. */
static inline uint64_t escaped_of(uint64_t backslash, uint64_t *carry)
{
    uint64_t escaped = *carry, starts = backslash & ~escaped;
    *carry = 0;
    while (starts) {
        int i = __builtin_ctzll(starts);
        starts &= starts - 1;
        if (i == 63) {
            *carry = 1;
            break;
        }
        escaped |= 1ull << (i + 1);
        starts &= ~(1ull << (i + 1));
    }
    return escaped;
}

/* The end of the JSON value starting at b[p], or -1. A container is read 64 bytes at
 * a time, as simdjson reads JSON: the bytes inside strings are found from the
 * unescaped quotes at once (prefix_xor), then the brackets outside them (few) are
 * counted one by one. Brackets are counted, not matched, and what lies between them is not checked: whoever parses the value does
 * (a remembered part's text is one that was parsed). */
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
    uint64_t in_string = 0, escape = 0;  /* carried from one block to the next */
    Py_ssize_t depth = 0;
    uint8_t tail[64];
    for (Py_ssize_t base = p; base < end; base += 64) {
        const uint8_t *at = b + base;
        if (end - base < 64) {  /* the last, short block: padded with spaces */
            memset(tail, ' ', 64);
            memcpy(tail, at, (size_t)(end - base));
            at = tail;
        }
        Block k;
        block_of(at, &k);
        uint64_t escaped = (k.backslash | escape) ? escaped_of(k.backslash, &escape) : 0;
        uint64_t strings = prefix_xor(k.quote & ~escaped) ^ in_string;
        in_string = (uint64_t)((int64_t)strings >> 63);  /* all ones inside a string */
        if (k.backslash & ~strings)
            return -1;  /* a backslash outside a string */
        uint64_t open = k.open & ~strings;
        for (uint64_t all = open | (k.close & ~strings); all; all &= all - 1) {
            uint64_t bit = all & -all;
            if (open & bit) {
                depth++;
            } else if (--depth == 0) {
                return base + __builtin_ctzll(bit) + 1;
            }
        }
    }
    return -1;
}

/* The key of the member at b[p] (its opening quote) into m, up to the colon; where its
 * value starts (before end), or -1. Keys must be plain ASCII: no escapes, no control bytes. */
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
    return m->value < end ? m->value : -1;  /* a value follows, at least its first byte */
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

/* The object's key ("namespace/name", or "name") from its metadata's text (its
 * opening brace at b[start]; nothing read past end), or NULL (no exception) when it
 * has none or not plainly written. Only the first members are read (name and
 * namespace lead, as the API server writes them): a key is only where to look for
 * parts to share, and a part is only shared once its text is known to be the same. */
static PyObject *key_from_text(const uint8_t *b, Py_ssize_t start, Py_ssize_t end)
{
    Py_ssize_t p = skip_ws(b, start + 1, end);
    Member name = {0, 0, -1, -1}, ns = {0, 0, -1, -1};
    for (int i = 0; i < 8 && p < end && b[p] == '"'; i++) {
        Member m;
        if (read_key(b, p, end, &m) < 0 || (m.value_end = skip_value(b, m.value, end)) < 0)
            return NULL;
        if (is_key(b, &m, "name"))
            name = m;
        else if (is_key(b, &m, "namespace"))
            ns = m;
        if (name.value >= 0 && ns.value >= 0)
            break;
        p = skip_ws(b, m.value_end, end);
        if (p >= end || b[p] != ',')
            break;
        p = skip_ws(b, p + 1, end);
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

/* The key of an event laid out as the API server writes it, {"type": "...",
 * "object": {...}} with metadata among the object's first members, read without going
 * through the rest of the object; NULL (no exception) for any other layout. */
static PyObject *quick_key(const uint8_t *b, Py_ssize_t end)
{
    Member m;
    Py_ssize_t p = skip_ws(b, 0, end);
    if (p >= end || b[p] != '{')
        return NULL;
    p = skip_ws(b, p + 1, end);
    if (read_key(b, p, end, &m) < 0 || !is_key(b, &m, "type") || b[m.value] != '"'
            || (p = skip_string(b, m.value, end)) < 0)
        return NULL;
    p = skip_ws(b, p, end);
    if (p >= end || b[p] != ',')
        return NULL;
    p = skip_ws(b, p + 1, end);
    if (read_key(b, p, end, &m) < 0 || !is_key(b, &m, "object") || b[m.value] != '{')
        return NULL;
    p = skip_ws(b, m.value + 1, end);
    for (int i = 0; i < 4 && p < end; i++) {
        if (read_key(b, p, end, &m) < 0)
            return NULL;
        if (is_key(b, &m, "metadata"))
            return b[m.value] == '{' ? key_from_text(b, m.value, end) : NULL;
        if ((p = skip_value(b, m.value, end)) < 0)
            return NULL;
        p = skip_ws(b, p, end);
        if (p >= end || b[p] != ',')
            return NULL;
        p = skip_ws(b, p + 1, end);
    }
    return NULL;
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

/* Whether b[*p:end] starts with the compact JSON text of the string s, plainly
 * written (no escapes: a string that would need one is answered "no"). */
static int same_string(PyObject *s, const uint8_t *b, Py_ssize_t *p, Py_ssize_t end)
{
    Py_ssize_t n, q = *p;
    const char *u = PyUnicode_AsUTF8AndSize(s, &n);  /* an ASCII str's own bytes */
    if (u == NULL) {
        PyErr_Clear();
        return 0;
    }
    if (end - q < n + 2 || b[q] != '"' || b[q + 1 + n] != '"'
            || memcmp(b + q + 1, u, (size_t)n) != 0)
        return 0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (u[i] == '"' || u[i] == '\\' || (uint8_t)u[i] < 0x20)
            return 0;
    *p = q + n + 2;
    return 1;
}

static int same_literal(const char *lit, const uint8_t *b, Py_ssize_t *p, Py_ssize_t end)
{
    size_t n = strlen(lit);
    if ((size_t)(end - *p) < n || memcmp(b + *p, lit, n) != 0)
        return 0;
    *p += (Py_ssize_t)n;
    return 1;
}

/* Whether b[*p:end] starts with the compact JSON text orjson writes for v, which then
 * is what that text parses to (*p is moved past it). Only what a parse of JSON gives
 * is recognized (dicts with str keys, lists, str, int, bool, None); a float or a
 * string needing an escape is answered "no", which costs a parse, never a wrong part. */
static int same_text(PyObject *v, const uint8_t *b, Py_ssize_t *p, Py_ssize_t end, int depth)
{
    if (depth > 64 || *p >= end)
        return 0;
    if (PyUnicode_CheckExact(v))
        return same_string(v, b, p, end);
    if (PyDict_CheckExact(v)) {
        PyObject *k, *item;
        Py_ssize_t pos = 0;
        int first = 1;
        if (b[(*p)++] != '{')
            return 0;
        while (PyDict_Next(v, &pos, &k, &item)) {
            if ((!first && (*p >= end || b[(*p)++] != ','))
                    || !PyUnicode_CheckExact(k) || !same_string(k, b, p, end)
                    || *p >= end || b[(*p)++] != ':' || !same_text(item, b, p, end, depth + 1))
                return 0;
            first = 0;
        }
        return *p < end && b[(*p)++] == '}';
    }
    if (PyList_CheckExact(v)) {
        if (b[(*p)++] != '[')
            return 0;
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(v); i++)
            if ((i > 0 && (*p >= end || b[(*p)++] != ','))
                    || !same_text(PyList_GET_ITEM(v, i), b, p, end, depth + 1))
                return 0;
        return *p < end && b[(*p)++] == ']';
    }
    if (v == Py_True)
        return same_literal("true", b, p, end);
    if (v == Py_False)
        return same_literal("false", b, p, end);
    if (v == Py_None)
        return same_literal("null", b, p, end);
    if (PyLong_CheckExact(v)) {
        int overflow;
        long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (overflow || (x == -1 && PyErr_Occurred())) {
            PyErr_Clear();
            return 0;
        }
        char digits[24];
        snprintf(digits, sizeof digits, "%lld", x);
        return same_literal(digits, b, p, end);
    }
    return 0;
}

/* What the memo entry holds for the part `name` whose text is text[0:n] (hash h), when
 * it is the same: borrowed, or NULL. A remembered part is the same when its hash is; a
 * part of a first sight's object when the text is exactly what orjson writes for it
 * (then parsing the text gives an equal dict). */
static PyObject *same_part(PyObject *entry, PyObject *name, const uint64_t h[2],
                           const uint8_t *text, Py_ssize_t n)
{
    if (!PyDict_CheckExact(entry))
        return memo_find(entry, name, h);
    PyObject *old = PyDict_GetItemWithError(entry, name);
    if (old == NULL || !PyDict_CheckExact(old)) {
        PyErr_Clear();
        return NULL;
    }
    Py_ssize_t p = 0;
    return same_text(old, text, &p, n, 0) && p == n ? old : NULL;
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
            PyObject *same = same_part(entry, key, h, b + m[i].value,
                                       m[i].value_end - m[i].value);
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
 * memo, and its object remembered as it is. Nothing is hashed or scanned now: the
 * key's next event compares its parts with this object's (see same_part), which a
 * streaming initial list, all first sights, never pays for. */
static PyObject *first_sight(PyObject *memo, PyObject *key, const uint8_t *b, Py_ssize_t end)
{
    PyObject *event = parse(b, 0, end);
    if (event == NULL || !PyDict_CheckExact(event))
        return event;  /* as orjson has it: the caller judges it */
    PyObject *obj = PyDict_GetItemWithError(event, s_object);
    PyObject *type = obj != NULL ? PyDict_GetItemWithError(event, s_type) : NULL;
    if (obj != NULL && PyDict_CheckExact(obj) && type != NULL && PyUnicode_Check(type)
            && PyUnicode_CompareWithASCIIString(type, "DELETED") != 0
            && PyDict_SetItem(memo, key, obj) < 0)
        Py_CLEAR(event);
    return event;
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
    if (nargs < 2 || nargs > 3 || !PyDict_CheckExact(args[0])) {
        PyErr_SetString(PyExc_TypeError, "json_event(memo: dict, line, numbers_checked=False)");
        return NULL;
    }
    int numbers_checked = nargs == 3 && PyObject_IsTrue(args[2]) == 1;
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
    if (!numbers_checked && has_long_number(b, end))
        goto done;
    key = quick_key(b, end);
    if (key != NULL && (entry = memo_entry(memo, key, 1)) == NULL) {
        result = first_sight(memo, key, b, end);
        goto done;
    }
    int k = -1, ti = -1;
    if (read_event(b, end, ev, m, &k, &ti) < 0)
        goto done;
    type = value_of(b, &ev[ti]);
    if (type == NULL || !PyUnicode_Check(type))
        goto done;
    for (int i = 0; i < k && key == NULL; i++)
        if (is_key(b, &m[i], "metadata") && b[m[i].value] == '{')
            key = key_from_text(b, m[i].value, m[i].value_end);
    if (key == NULL)
        goto done;  /* nothing to share: the usual parse */
    if (entry == NULL && (entry = memo_entry(memo, key, 1)) == NULL) {
        result = first_sight(memo, key, b, end);
        goto done;
    }
    obj = build_object(entry, b, m, k, names, parts, hashes, &nparts);
    if (obj == NULL)
        goto done;
    result = PyDict_New();
    if (result == NULL)
        goto done;
    if (PyDict_SetItem(result, ti == 0 ? s_type : s_object, ti == 0 ? type : obj) < 0
        || PyDict_SetItem(result, ti == 0 ? s_object : s_type, ti == 0 ? obj : type) < 0
        || memo_store(memo, key, type, names, parts, (const uint64_t (*)[2])hashes,
                      nparts) < 0)
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
