import { Injectable } from '@nestjs/common';

/** The one source of "now" in the service; tests swap in a clock they can move. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
