"""The wheel carries a native library: tag it for the platform (py3-none-<platform>), not as pure Python.
The library goes into er_managed/ before building (.ci/python_check.sh copies it there)."""
from setuptools import setup
from setuptools.dist import Distribution

try:
    from wheel.bdist_wheel import bdist_wheel
except ImportError:  # pragma: no cover
    bdist_wheel = None


class BinaryDistribution(Distribution):
    def has_ext_modules(self):
        return True


commands = {}
if bdist_wheel is not None:
    class PlatformWheel(bdist_wheel):
        """ctypes needs no particular Python ABI: py3-none-<platform>."""

        def get_tag(self):
            _, _, platform = super().get_tag()
            return "py3", "none", platform

    commands["bdist_wheel"] = PlatformWheel

setup(distclass=BinaryDistribution, cmdclass=commands)
