"""The configured shape command of the recorder test: runs scale_rows on real tensors."""

import torch
from sample_model import scale_rows

print(scale_rows(torch.randn(4, 16)).shape)
