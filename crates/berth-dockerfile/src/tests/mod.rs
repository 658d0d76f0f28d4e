mod shell;
mod shell_vectors;
