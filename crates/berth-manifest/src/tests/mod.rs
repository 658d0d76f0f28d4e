mod parse;
mod platform;
