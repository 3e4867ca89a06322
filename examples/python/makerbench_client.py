#!/usr/bin/env python3
"""A makerbench client in Python, from the contract alone (proto/makerbench.proto).

It logs on to /ws/trade, reads the instruments, places a limit order, prints
the ExecutionReport, then takes a market-data snapshot from /ws/md and logs
out. Every frame is one binary protobuf Envelope (docs/protocol.md).

The message classes are generated with protoc (not committed):

    protoc --python_out=/tmp/mb -I proto proto/makerbench.proto
    python3 examples/python/makerbench_client.py --pb-dir /tmp/mb

Needs the protobuf and websockets packages (Debian: python3-protobuf,
python3-websockets; protoc from protobuf-compiler). See examples/README.md.
"""
import argparse
import asyncio
import importlib
import sys
import time
from decimal import Decimal

import websockets


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", default="ws://127.0.0.1:8080", help="the exchange's base URL (ws://host:port)")
    p.add_argument("--key", default="demo-maker-1", help="API key (Logon.api_key)")
    p.add_argument("--symbol", default="BTC-USD")
    p.add_argument("--side", default="BUY", choices=["BUY", "SELL"])
    p.add_argument("--price", default="99990.5", help="limit price, a decimal in the quote currency")
    p.add_argument("--qty", default="0.0100", help="quantity, a decimal in the instrument's units")
    p.add_argument("--pb-dir", required=True, help="the directory protoc wrote makerbench_pb2.py to")
    return p.parse_args()


def to_units(text: str, scale: int) -> int:
    """A decimal string to integer units of 10^-scale, refusing extra precision."""
    v = Decimal(text).scaleb(scale)
    if v != v.to_integral_value():
        raise ValueError(f"{text} has more than {scale} decimals")
    return int(v)


def from_units(units: int, scale: int) -> str:
    return f"{Decimal(units).scaleb(-scale):.{scale}f}"


class Session:
    """One WebSocket endpoint: numbers outbound Envelopes, decodes inbound ones."""

    def __init__(self, ws, pb):
        self.ws = ws
        self.pb = pb
        self.seq = 1

    async def send(self, **body) -> None:
        env = self.pb.Envelope(msg_seq_num=self.seq, sending_time_us=time.time_ns() // 1000, **body)
        self.seq += 1
        await self.ws.send(env.SerializeToString())

    async def logout_answer(self, timeout: float = 5.0) -> str:
        """After our Logout: the server's Logout text (the connection closes next)."""
        while True:
            env = self.pb.Envelope()
            env.ParseFromString(await asyncio.wait_for(self.ws.recv(), timeout))
            if env.WhichOneof("body") == "logout":
                return env.logout.text

    async def expect(self, body: str, timeout: float = 5.0):
        """The next Envelope carrying `body` (others, e.g. heartbeats, are skipped); a Reject or Logout fails."""
        while True:
            env = self.pb.Envelope()
            env.ParseFromString(await asyncio.wait_for(self.ws.recv(), timeout))
            kind = env.WhichOneof("body")
            if kind == body:
                return getattr(env, kind)
            if kind in ("reject", "logout", "market_data_request_reject"):
                raise RuntimeError(f"{kind}: {getattr(env, kind)}")


async def main() -> int:
    args = parse_args()
    sys.path.insert(0, args.pb_dir)
    pb = importlib.import_module("makerbench_pb2")

    async with websockets.connect(f"{args.url}/ws/trade") as ws:
        trade = Session(ws, pb)
        # cancel_on_disconnect: the order goes when this session ends
        await trade.send(logon=pb.Logon(api_key=args.key, reset_seq_num=True, cancel_on_disconnect=True))
        logon = await trade.expect("logon")
        print(f"logon account_id={logon.account_id}")

        await trade.send(security_list_request=pb.SecurityListRequest(security_req_id="sl"))
        securities = {s.symbol: s for s in (await trade.expect("security_list")).securities}
        sec = securities[args.symbol]
        print(f"instrument {sec.symbol} price_scale={sec.price_scale} qty_scale={sec.qty_scale}")

        order = pb.NewOrderSingle(
            cl_ord_id=f"py-{time.time_ns()}", symbol=args.symbol, side=pb.Side.Value(f"SIDE_{args.side}"),
            ord_type=pb.ORD_TYPE_LIMIT, time_in_force=pb.TIME_IN_FORCE_GTC,
            price=to_units(args.price, sec.price_scale), order_qty=to_units(args.qty, sec.qty_scale),
        )
        await trade.send(new_order_single=order)
        er = await trade.expect("execution_report")
        print(
            f"execution_report order_id={er.order_id} cl_ord_id={er.cl_ord_id} exec_type={pb.ExecType.Name(er.exec_type)} "
            f"ord_status={pb.OrdStatus.Name(er.ord_status)} price={from_units(er.price, sec.price_scale)} "
            f"leaves_qty={from_units(er.leaves_qty, sec.qty_scale)} reject_code={pb.RejectCode.Name(er.reject_code)} text={er.text!r}"
        )

        async with websockets.connect(f"{args.url}/ws/md") as mws:
            md = Session(mws, pb)
            await md.send(market_data_request=pb.MarketDataRequest(md_req_id="md-1", symbol=args.symbol, market_depth=5))
            snap = await md.expect("market_data_snapshot_full_refresh")
            level = lambda l: f"{from_units(l.price, sec.price_scale)}x{from_units(l.qty, sec.qty_scale)}"  # noqa: E731
            print(
                f"snapshot {snap.symbol} last_update_id={snap.last_update_id} "
                f"bids={[level(l) for l in snap.bids]} asks={[level(l) for l in snap.asks]}"
            )

        await trade.send(logout=pb.Logout(text="bye"))
        print(f"logout {await trade.logout_answer()!r}")
    return 0 if er.exec_type == pb.EXEC_TYPE_NEW else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
