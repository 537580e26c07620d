# expect: crash — a `setsid` child holds memory past the limit; the watcher counts the whole process tree
import os
import time

import torch
import torch.nn as nn

if os.fork() == 0:
    os.setsid()  # out of the worker's process group, where the watcher once looked
    block = bytearray(1100 << 20)
    for offset in range(0, len(block), 4096):
        block[offset] = 1
    time.sleep(120)
    os._exit(0)


class ModelNew(nn.Module):
    def forward(self, x):
        time.sleep(1.0)  # long enough for the watcher's next look
        return torch.softmax(x, dim=1)
