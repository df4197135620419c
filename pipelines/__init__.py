"""newswatch's item pipelines (extract, dedupe, store) and the pure functions behind them."""
