// Placeholder: the fast JSON reader for applications is being written.
