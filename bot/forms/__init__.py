"""The pure form core: a backend-neutral form model, the Block Kit view builder, and the
view-state parser and validator. Nothing here performs I/O."""
