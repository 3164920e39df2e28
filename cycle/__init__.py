"""The reporting cycle: data returns with owners and approvers, due dates, sign-off, period
lock and the emails that chase them."""
