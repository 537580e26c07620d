# expect: crash — exceeds the worker's memory limit
import time
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def forward(self, x):
        hog = torch.ones(3 << 28, dtype=torch.uint8)  # 768 MiB, touched
        time.sleep(5)
        return x + hog[0]
