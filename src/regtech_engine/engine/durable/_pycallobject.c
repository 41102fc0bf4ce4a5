/* PyEval_CallObject for CPython 3.13+, where it was removed from the C API.
 *
 * durable-rules 2.0.28 (last release, 2020) calls it from its store callbacks. Loading this
 * library with RTLD_GLOBAL before durable_rules_engine resolves that symbol. On older Pythons
 * the name is a macro and this definition is never used by anything.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#ifdef PyEval_CallObject
#undef PyEval_CallObject
#endif

PyAPI_FUNC(PyObject *) PyEval_CallObject(PyObject *callable, PyObject *args);

PyObject *PyEval_CallObject(PyObject *callable, PyObject *args) {
    return PyObject_CallObject(callable, args);
}

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pycallobject", NULL, -1, NULL};

PyMODINIT_FUNC PyInit__pycallobject(void) { return PyModule_Create(&module); }
