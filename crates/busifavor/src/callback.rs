//! Receiving COUPON.SEND callbacks (placeholder until the handler lands).
