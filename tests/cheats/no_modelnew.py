# expect: bad input — no ModelNew
import torch


class Model(torch.nn.Module):
    pass
