/**
 * The references the HTTP benches measure beside the service: a bare NestJS 11 hello world,
 * and one way to print a load's percentiles (replies and triage benches).
 */
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import type { Load } from './http-load';

@Controller()
class HelloController {
  @Get()
  hello(): string {
    return 'Hello World!';
  }
}
@Module({ controllers: [HelloController] })
class HelloModule {}

/** A bare NestJS app answering GET / with a string, on a free port of 127.0.0.1. */
export async function startHello(): Promise<{ port: number; close: () => Promise<void> }> {
  const hello = await NestFactory.create(HelloModule, { logger: false });
  await hello.listen(0, '127.0.0.1');
  return { port: (hello.getHttpServer().address() as AddressInfo).port, close: () => hello.close() };
}

const f1 = (x: number) => x.toFixed(1);

/** One line per measured route: p50/p95/p99, req/s, requests and how many in flight. */
export const loadLine = (name: string, r: Load, inFlight: number): string =>
  `${name.padEnd(34)} p50 ${f1(r.p50).padStart(6)}  p95 ${f1(r.p95).padStart(6)}  p99 ${f1(r.p99).padStart(6)} ms   ${r.rps.toFixed(0).padStart(5)} req/s  (${r.n} requests, ${inFlight} in flight)`;
