mod shell;
mod shell_vectors;
mod parser;
mod instructions;
mod ignore;
mod fuzz;
mod scope;
