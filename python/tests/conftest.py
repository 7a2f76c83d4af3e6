import os
import sys

# The package from this checkout unless it is installed (the wheel's test run puts the installed one first).
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
