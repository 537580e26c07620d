# expect: rejected static:threads — work on another thread escapes timing
import threading
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def forward(self, x):
        out = torch.empty_like(x)
        worker = threading.Thread(target=lambda: out.copy_(torch.softmax(x, 1)))
        worker.start()
        worker.join()
        return out
