/* What the two source files of kclient's C accelerator share. */
#ifndef KCLIENT_SPEEDUPS_H
#define KCLIENT_SPEEDUPS_H

#include <Python.h>
#include <stdint.h>
#include <string.h>

/* _speedups.c */
extern PyObject *json_loads;            /* orjson.loads, or NULL */
extern PyObject *s_type, *s_object;     /* "type", "object" */
PyObject *make_str(const uint8_t *p, Py_ssize_t n);   /* shared when short and ASCII */
void hash128(const uint8_t *p, Py_ssize_t n, uint64_t out[2]);
int has_long_number(const uint8_t *b, Py_ssize_t n);  /* a JSON number past int64? */

/* _memo.c: the memo of unchanged parts */
PyObject *memo_key(PyObject *ns, PyObject *name);      /* "ns/name", "name", or NULL */
PyObject *memo_key_of(PyObject *metadata);             /* the same, of a metadata dict */
PyObject *memo_entry(PyObject *memo, PyObject *key, int first_sights);  /* new ref */
PyObject *memo_find(PyObject *entry, PyObject *name, const uint64_t h[2]);  /* borrowed */
int memo_store(PyObject *memo, PyObject *key, PyObject *type, PyObject *const *names,
               PyObject *const *parts, const uint64_t (*hashes)[2], int nparts);

/* _json_event.c */
PyObject *py_json_event(PyObject *self, PyObject *const *args, Py_ssize_t nargs);

#endif
