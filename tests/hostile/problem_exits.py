# Attack at the problem's import (tests/problems/small_softmax.py follows): end the process.
import sys

sys.exit(3)
