"""One module per template family: its kernels (`render(plan, config) -> (kernels,
forward)`), how it matches a core op, its config space and default, declared at the end
as `FAMILY = Family(...)` (generator/family.py) and listed in generator/families.py."""
