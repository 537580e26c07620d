# expect: rejected static:other-stream — work on a side stream is not timed
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def forward(self, x):
        side = torch.cuda.Stream()
        with torch.cuda.stream(side):
            return torch.softmax(x, 1)
