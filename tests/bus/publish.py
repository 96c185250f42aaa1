#!/usr/bin/env python3
"""Publishes test messages with the real fedora-messaging client (tests/it/listen.rs).

Reads JSON lines on stdin, one message each, and prints one JSON line per message
published ({"id": <message id>}). The fedora-messaging configuration comes from
FEDORA_MESSAGING_CONF, as for every fedora-messaging program.

    {"schema": "copr.build.end", "body": {...}}      a schema class by its entry-point
                                                     name (the header value)
    {"topic": "copr.build.end", "body": {...}}        the base Message class on a topic
    {"raw": "text", "routing_key": "org.…"}          raw bytes, not JSON (via pika)
    an optional "id" sets the message id (to send the same message twice)

Modes (argv[1]; argv[2], optional: seconds to wait after each message):
    api   fedora_messaging.api.publish for each message, retried until it succeeds
          (used across a broker restart); slow (a round trip per message)
    fast  the same Message objects (headers, properties, body exactly as the library
          builds them), sent over one pika connection: 1,000 messages in a second or two
"""

import json
import sys
import time

from fedora_messaging import api, config, message


def build(spec):
    if "schema" in spec:
        cls = message.get_class(spec["schema"])
        msg = cls(body=spec["body"])
    else:
        msg = message.Message(topic=spec["topic"], body=spec["body"])
    if "id" in spec:  # a redelivery: the same message id again
        msg.id = spec["id"]
    msg.validate()
    return msg


def publish_api(specs, pause):
    for spec in specs:
        time.sleep(pause)
        if "raw" in spec:
            publish_raw_one(spec)
            continue
        msg = build(spec)
        deadline = time.time() + 120
        while True:
            try:
                api.publish(msg, timeout=10)
                break
            except Exception as e:  # broker down: keep trying (at-least-once)
                if time.time() > deadline:
                    raise
                print(f"publish retry: {e!r}", file=sys.stderr)
                time.sleep(0.5)
        print(json.dumps({"id": msg.id}), flush=True)


def connection():
    import pika

    params = pika.URLParameters(config.conf["amqp_url"])
    return pika.BlockingConnection(params)


def publish_raw_one(spec, channel=None):
    import pika

    own = channel is None
    if own:
        conn = connection()
        channel = conn.channel()
    props = pika.BasicProperties(content_type="application/json", delivery_mode=2)
    channel.basic_publish("amq.topic", spec["routing_key"], spec["raw"].encode("utf-8", "surrogateescape"), props)
    if own:
        conn.close()
    print(json.dumps({"id": None}), flush=True)


def publish_fast(specs):
    conn = connection()
    channel = conn.channel()
    channel.confirm_delivery()
    exchange = config.conf["publish_exchange"]
    for spec in specs:
        if "raw" in spec:
            publish_raw_one(spec, channel)
            continue
        msg = build(spec)
        channel.basic_publish(exchange, msg._encoded_routing_key, msg._encoded_body, msg._properties)
        print(json.dumps({"id": msg.id}), flush=True)
    conn.close()


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "api"
    pause = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    specs = [json.loads(line) for line in sys.stdin if line.strip()]
    if mode == "fast":
        publish_fast(specs)
    else:
        publish_api(specs, pause)


if __name__ == "__main__":
    main()
