/*
 * The memo of unchanged parts, shared by the protobuf frame cursor (_speedups.c) and
 * the JSON event reader (_json_event.c); what it is for is told in _speedups.c
 * ("Reuse of unchanged parts").
 *
 * memo: {object key: (hashes, name, part, name, part, ...)}, hashes being 16 bytes
 * (two 64-bit words) per part, in order; or, from the JSON reader's first sight of a
 * key, {object key: the object itself}, whose parts are compared in place with the
 * text of the key's next event (_json_event.c). memo_entry gives the first shape,
 * and the second when asked for first sights; others are ignored.
 */

#include "_speedups.h"

PyObject *memo_key(PyObject *ns, PyObject *name)
{
    if (name == NULL || !PyUnicode_Check(name) || PyUnicode_GET_LENGTH(name) == 0)
        return NULL;
    if (ns != NULL && PyUnicode_Check(ns) && PyUnicode_GET_LENGTH(ns) > 0)
        return PyUnicode_FromFormat("%U/%U", ns, name);
    return Py_NewRef(name);
}

PyObject *memo_key_of(PyObject *metadata)
{
    return memo_key(PyDict_GetItemString(metadata, "namespace"),
                    PyDict_GetItemString(metadata, "name"));
}

PyObject *memo_entry(PyObject *memo, PyObject *key, int first_sights)
{
    PyObject *e = PyDict_GetItemWithError(memo, key);
    if (e == NULL) {
        PyErr_Clear();
        return NULL;
    }
    if (first_sights && PyDict_CheckExact(e))
        return Py_NewRef(e);
    if (!PyTuple_CheckExact(e) || PyTuple_GET_SIZE(e) % 2 != 1
            || !PyBytes_CheckExact(PyTuple_GET_ITEM(e, 0))
            || PyBytes_GET_SIZE(PyTuple_GET_ITEM(e, 0)) != 8 * (PyTuple_GET_SIZE(e) - 1))
        return NULL;
    return Py_NewRef(e);
}

PyObject *memo_find(PyObject *entry, PyObject *name, const uint64_t h[2])
{
    if (entry == NULL)
        return NULL;
    const uint64_t *hashes = (const uint64_t *)PyBytes_AS_STRING(PyTuple_GET_ITEM(entry, 0));
    Py_ssize_t k = (PyTuple_GET_SIZE(entry) - 1) / 2;
    for (Py_ssize_t i = 0; i < k; i++) {
        if (hashes[2 * i] != h[0] || hashes[2 * i + 1] != h[1])
            continue;
        PyObject *n = PyTuple_GET_ITEM(entry, 1 + 2 * i);
        if (n == name || (PyUnicode_Check(n) && PyUnicode_Compare(n, name) == 0))
            return PyTuple_GET_ITEM(entry, 2 + 2 * i);
        if (PyErr_Occurred())
            PyErr_Clear();
    }
    return NULL;
}

int memo_store(PyObject *memo, PyObject *key, PyObject *type, PyObject *const *names,
               PyObject *const *parts, const uint64_t (*hashes)[2], int nparts)
{
    if (nparts == 0 || (type != NULL && PyUnicode_Check(type)
                        && PyUnicode_CompareWithASCIIString(type, "DELETED") == 0)) {
        if (PyDict_DelItem(memo, key) < 0) {
            if (!PyErr_ExceptionMatches(PyExc_KeyError))
                return -1;
            PyErr_Clear();
        }
        return 0;
    }
    PyObject *entry = PyTuple_New(1 + 2 * nparts);
    PyObject *h = PyBytes_FromStringAndSize(NULL, 16 * nparts);
    if (entry == NULL || h == NULL) {
        Py_XDECREF(entry);
        Py_XDECREF(h);
        return -1;
    }
    memcpy(PyBytes_AS_STRING(h), hashes, 16 * (size_t)nparts);
    PyTuple_SET_ITEM(entry, 0, h);
    for (int i = 0; i < nparts; i++) {
        PyTuple_SET_ITEM(entry, 1 + 2 * i, Py_NewRef(names[i]));
        PyTuple_SET_ITEM(entry, 2 + 2 * i, Py_NewRef(parts[i]));
    }
    int rc = PyDict_SetItem(memo, key, entry);
    Py_DECREF(entry);
    return rc;
}
