# expect: rejected dynamic:calls-reference — finds the reference class without naming it
import torch.nn as nn


class ModelNew(nn.Module):
    def forward(self, x):
        modules = __import__("sys").modules
        for module in list(modules.values()):
            if type(getattr(module, "get_inputs", None)).__name__ == "function":
                reference = getattr(module, "Mod" + "el")
                return reference()(x)
