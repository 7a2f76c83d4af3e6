"""Loading libermanaged and declaring its C functions (include/er_managed.h) for ctypes."""
import ctypes
import os
import sys

_NAMES = {"linux": "libermanaged.so", "darwin": "libermanaged.dylib", "win32": "libermanaged.dll"}

OK, INVALID_ARGUMENT, OUT_OF_MEMORY, INTERNAL_ERROR = 0, 1, 2, 3
ABI_VERSION = 1


class Options(ctypes.Structure):
    """er_options: size, threads (0: all cores), normalizer (0 exact, 1 reference), validate (1/0)."""

    _fields_ = [("size", ctypes.c_uint32), ("threads", ctypes.c_int32), ("normalizer", ctypes.c_int32), ("validate", ctypes.c_int32)]


def library_path():
    """ER_MANAGED_LIBRARY if set (it wins), else the library beside this package."""
    explicit = os.environ.get("ER_MANAGED_LIBRARY")
    if explicit:
        return explicit
    name = _NAMES.get(sys.platform, "libermanaged.so")
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), name)


def _load():
    path = library_path()
    if not os.path.exists(path):
        raise ImportError(
            f"er_managed: the native library is not at {path}. Install the wheel, or build it "
            "(dotnet publish src/ER.Managed.Native -c Release -r linux-x64) and set ER_MANAGED_LIBRARY to the .so.")
    lib = ctypes.CDLL(path)
    f32 = ctypes.POINTER(ctypes.c_float)
    f64 = ctypes.POINTER(ctypes.c_double)
    i32 = ctypes.POINTER(ctypes.c_int32)
    opt = ctypes.POINTER(Options)
    i64, c_int, c_double = ctypes.c_int64, ctypes.c_int, ctypes.c_double
    signatures = {
        "er_entropy_sphere": [f32, i64, i64, c_double, ctypes.c_int32, opt, f64],
        "er_entropy_sphere_grad": [f32, i64, i64, c_double, ctypes.c_int32, opt, f64, f64, f32],
        "er_entropy_discrete": [f32, i64, i64, ctypes.c_int32, opt, f64],
        "er_entropy_discrete_grad": [f32, i64, i64, ctypes.c_int32, opt, f64, f32],
        "er_reconstruction_sphere": [f32, f32, i64, i64, c_double, opt, f64],
        "er_reconstruction_sphere_grad": [f32, f32, i64, i64, c_double, opt, f64, f64, f32, f32],
        "er_reconstruction_discrete": [f32, f32, i64, i64, opt, f64],
        "er_reconstruction_discrete_grad": [f32, f32, i64, i64, opt, f64, f32, f32],
        "er_entropy_knn": [f32, i64, i64, ctypes.c_int32, opt, f64],
        "er_vmf": [ctypes.c_int32, f64, i64, f64, f64, f64, f64],
        "er_kappa_select": [f32, i64, i64, ctypes.c_int32, opt, f64, f64, i32, i32],
        "er_loo_log_likelihood": [f32, i64, i64, c_double, opt, f64, f64],
    }
    for name, arguments in signatures.items():
        function = getattr(lib, name)
        function.argtypes = arguments
        function.restype = c_int
    lib.er_version.argtypes = []
    lib.er_version.restype = ctypes.c_char_p
    lib.er_abi_version.argtypes = []
    lib.er_abi_version.restype = ctypes.c_int32
    lib.er_last_error.argtypes = []
    lib.er_last_error.restype = ctypes.c_char_p
    if lib.er_abi_version() != ABI_VERSION:
        raise ImportError(f"er_managed: {path} has ABI version {lib.er_abi_version()}, this package needs {ABI_VERSION}.")
    return lib


lib = _load()


def check(status, names=None):
    """Raises the Python error for a status: ValueError (a refused argument), MemoryError, RuntimeError.
    ``names`` maps the C argument names that start a message ("z: ...") to the Python ones."""
    if status == OK:
        return
    message = lib.er_last_error().decode("utf-8", "replace").replace("set options->validate = 0", "pass validate=False")
    for c_name, python_name in (names or {}).items():
        if message.startswith(c_name + ": "):
            message = python_name + message[len(c_name):]
    if status == INVALID_ARGUMENT:
        raise ValueError(message)
    if status == OUT_OF_MEMORY:
        raise MemoryError(message)
    raise RuntimeError(message)
