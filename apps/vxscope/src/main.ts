import 'reflect-metadata';

import { ConsoleLogger, INestApplication, Logger, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';
import { HttpErrorFilter } from './http-error.filter';

const LEVELS = { error: ['error'], warn: ['error', 'warn'], log: ['error', 'warn', 'log'], debug: ['error', 'warn', 'log', 'debug'] } as const;

/**
 * Starts the daemon (REST API, WebSocket feed at /ws, dashboard at /, OpenAPI at /api/docs) listening
 * on config.listen. With `shutdownHooks`, SIGINT/SIGTERM close it (and its collectors) cleanly.
 */
export async function serve(config: AppConfig, shutdownHooks = true): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config), {
    logger: new ConsoleLogger({ logLevels: [...LEVELS[config.logLevel]] }),
  });
  app.useWebSocketAdapter(new WsAdapter(app));
  app.useGlobalFilters(new HttpErrorFilter());
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  if (shutdownHooks) {
    app.enableShutdownHooks();
  }
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('vxscope').setDescription('VXLAN overlay observability').setVersion('0.1.0').build(),
  );
  SwaggerModule.setup('api/docs', app, doc);
  await app.listen(config.listen.port, config.listen.host);
  new Logger('vxscope').log(`listening on http://${config.listen.host}:${config.listen.port}`);
  return app;
}
