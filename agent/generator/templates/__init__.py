"""One module per template family; each exposes `render(plan, config) -> (kernels, forward)`."""
