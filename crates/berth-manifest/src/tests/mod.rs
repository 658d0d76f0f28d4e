mod change;
mod parse;
mod platform;
