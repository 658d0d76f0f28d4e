mod build;
mod change;
mod parse;
mod platform;
mod view;
