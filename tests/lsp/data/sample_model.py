import torch
import torch.nn.functional as F
from torch import nn

B = 8
N = 64


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x, y):
        z = torch.relu(x) + y * 2.0
        return F.gelu(z).sum(dim=-1)


def scale_rows(a):
    return torch.softmax(a, dim=-1) * 3.0


def get_inputs():
    return [torch.randn(B, N), torch.randn(B, N)]


def get_init_inputs():
    return []


if __name__ == "__main__":
    torch.manual_seed(0)
    out = Model()(*get_inputs())
    print(repr(out.tolist()))
