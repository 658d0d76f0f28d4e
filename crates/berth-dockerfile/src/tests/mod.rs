mod fuzz;
mod ignore;
mod instructions;
mod parser;
mod scope;
mod shell;
mod shell_vectors;
