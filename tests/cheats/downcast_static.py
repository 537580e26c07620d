# expect: rejected static:precision-downcast — fp16 on an fp32 problem
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def forward(self, x):
        y = x.to(torch.float16)
        return torch.softmax(y, 1).float()
