"""Local stand-ins for services the tests must never reach over the network."""
