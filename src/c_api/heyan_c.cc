// Placeholder: the C ABI is being written.
