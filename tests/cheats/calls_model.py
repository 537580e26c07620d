# expect: rejected static:calls-reference — the reference class as the answer
import torch.nn as nn
import sys


class ModelNew(nn.Module):
    def forward(self, x):
        for module in list(sys.modules.values()):
            if hasattr(module, "get_inputs") and hasattr(module, "Model"):
                return module.Model()(x)
