import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../common/principal';
import { page } from '../web/layout';
import { ConsoleFiles } from './console-files';

const YEAR_MS = 365 * 24 * 3600 * 1000;

// The console talks only to its own origin; React Aria and uPlot set inline styles.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/** The staff console (web/, built to dist/web) under /app. */
@ApiExcludeController()
@Controller('app')
export class ConsoleController {
  constructor(@Inject(ConsoleFiles) private readonly files: ConsoleFiles) {}

  @Public()
  @Get(['', '*path'])
  serve(@Req() req: Request, @Res() res: Response): void {
    const found = this.files.resolve(req.path.replace(/^\/app\/?/, ''));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    switch (found.kind) {
      case 'not-built':
        res
          .status(503)
          .setHeader('Cache-Control', 'no-store')
          .type('html')
          .send(
            page(
              'Console not built',
              '<h1>The console is not built</h1><p>The staff console has not been built on this machine. ' +
                'Run <code>npm run build</code> (or <code>npm start</code>, which builds first) and reload this page.</p>' +
                '<p class="note">The API under /v1 works without it.</p>',
            ),
          );
        return;
      case 'missing':
        res.status(404).setHeader('Cache-Control', 'no-store').type('text').send('Not found');
        return;
      case 'asset':
        // Vite puts a content hash in every asset's name: a changed file is a new URL.
        res.sendFile(found.file, { root: this.files.dir, maxAge: YEAR_MS, immutable: true });
        return;
      case 'file':
        res.sendFile(found.file, { root: this.files.dir, cacheControl: false, headers: { 'Cache-Control': 'no-cache' } });
        return;
      case 'index':
        res.sendFile(found.file, { root: this.files.dir,
          cacheControl: false,
          headers: {
            'Cache-Control': 'no-cache',
            'Content-Security-Policy': CSP,
            'Referrer-Policy': 'same-origin',
          },
        });
        return;
    }
  }
}
