import { Controller } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, Reflector } from '@nestjs/core';
import { MessagePattern } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { handlersWithoutRule, RpcAccessCheck, RpcInternal, RpcPublic, RpcRoles } from './rpc-access';

@Controller()
class Declared {
  @MessagePattern('x.public')
  @RpcPublic()
  open() {}

  @MessagePattern('x.admin')
  @RpcRoles('admin')
  admin() {}

  @MessagePattern('x.internal')
  @RpcInternal()
  internal() {}

  /** Not a NATS handler: needs no rule. */
  helper() {}
}

@Controller()
@RpcRoles('auditor')
class DeclaredOnClass {
  @MessagePattern('y.read')
  read() {}
}

@Controller()
class Forgotten {
  @MessagePattern('z.open')
  @RpcPublic()
  fine() {}

  @MessagePattern('z.leak')
  leak() {}
}

describe('RPC access rules', () => {
  const compile = async (controllers: Array<new () => unknown>) => {
    const module = await Test.createTestingModule({ imports: [DiscoveryModule], controllers, providers: [RpcAccessCheck] }).compile();
    return module;
  };

  it('finds no handler without a rule when each declares one, on the method or the class', async () => {
    const module = await compile([Declared, DeclaredOnClass]);
    expect(handlersWithoutRule(module.get(DiscoveryService), module.get(Reflector))).toEqual([]);
    expect(() => module.get(RpcAccessCheck).onApplicationBootstrap()).not.toThrow();
  });

  it('names the handler that declares none, and refuses to start with it', async () => {
    const module = await compile([Declared, Forgotten]);
    expect(handlersWithoutRule(module.get(DiscoveryService), module.get(Reflector))).toEqual(['Forgotten.leak']);
    expect(() => module.get(RpcAccessCheck).onApplicationBootstrap()).toThrow(/Forgotten\.leak/);
  });
});
