# Attack at the problem's import (tests/problems/small_softmax.py follows): never finish.
import time

while True:
    time.sleep(0.1)
